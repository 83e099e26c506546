/*
 * process.c — the process sensor's user-space half: the JSON of exec and
 * exit events (the kernel half is bpf/process.bpf.c; its programs attach
 * on their own tracepoints and need no map setup).
 */
#include <string.h>

#include "jsonw.h"
#include "procs.h"
#include "sensors.h"

/* argv as a JSON array: NUL-separated strings in args[0..n). */
static void args_json(rp_buf *b, const char *args, size_t n)
{
    size_t i = 0;

    jw_key(b, "args");
    rp_buf_putc(b, '[');
    while (i < n) {
        size_t len = strnlen(args + i, n - i);
        if (b->data[b->len - 1] != '[')
            rp_buf_putc(b, ',');
        rego_json_write_string(b, args + i, len, false);
        i += len + 1;
    }
    rp_buf_putc(b, ']');
}

void agent_exec_process_json(rp_buf *b, const struct rp_exec_event *e, size_t size)
{
    size_t args_len = e->args_len;
    char cmdline[AGENT_CMDLINE_MAX];

    /* Never trust a length from the wire beyond what arrived. */
    if (args_len > RP_ARGS_MAX || __builtin_offsetof(struct rp_exec_event, args) + args_len > size)
        args_len = 0;
    jw_strn(b, "exe", e->exe, sizeof(e->exe));
    jw_strn(b, "filename", e->filename, sizeof(e->filename));
    agent_args_to_cmdline(e->args, args_len, cmdline, sizeof(cmdline));
    jw_str(b, "cmdline", cmdline);
    args_json(b, e->args, args_len);
    jw_bool(b, "args_truncated", e->flags & RP_EXEC_ARGS_TRUNCATED);
    jw_u64(b, "argc", e->argc);
    jw_strn(b, "cwd", e->cwd, sizeof(e->cwd));
    if (e->tty[0])
        jw_strn(b, "tty", e->tty, sizeof(e->tty));
    else
        jw_null(b, "tty");
    jw_u64(b, "egid", e->egid);
    jw_u64(b, "cap_effective", e->cap_effective);
    jw_bool(b, "exe_from_memfd", e->flags & RP_EXEC_EXE_MEMFD);
}

void agent_exit_json(rp_buf *b, const struct rp_exit_event *e)
{
    jw_obj(b, "exit");
    jw_u64(b, "code", (e->status >> 8) & 0xff);
    jw_u64(b, "signal", e->status & 0x7f);
    jw_bool(b, "core_dumped", e->status & 0x80);
    jw_end(b);
}
