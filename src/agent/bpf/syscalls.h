/*
 * syscalls.h — x86_64 numbers of the syscalls the sensors decode.
 *
 * The BPF target cannot include the host's <asm/unistd_64.h>, so the numbers
 * the sys_enter/sys_exit dispatchers switch on are listed here once; user
 * space checks every one against <sys/syscall.h> at compile time
 * (syscall_names.c), so a typo cannot go unnoticed.  x86_64 only, like the
 * -D__TARGET_ARCH_x86 build of the programs.
 */
#ifndef RAMPART_AGENT_BPF_SYSCALLS_H
#define RAMPART_AGENT_BPF_SYSCALLS_H

/* file */
#define RP_NR_open 2
#define RP_NR_creat 85
#define RP_NR_rename 82
#define RP_NR_unlink 87
#define RP_NR_chmod 90
#define RP_NR_fchmod 91
#define RP_NR_openat 257
#define RP_NR_unlinkat 263
#define RP_NR_renameat 264
#define RP_NR_fchmodat 268
#define RP_NR_renameat2 316
#define RP_NR_openat2 437
#define RP_NR_fchmodat2 452

/* network */
#define RP_NR_connect 42
#define RP_NR_accept 43
#define RP_NR_sendto 44
#define RP_NR_sendmsg 46
#define RP_NR_bind 49
#define RP_NR_listen 50
#define RP_NR_accept4 288
#define RP_NR_sendmmsg 307

/* privilege */
#define RP_NR_ptrace 101
#define RP_NR_setuid 105
#define RP_NR_setgid 106
#define RP_NR_setreuid 113
#define RP_NR_setregid 114
#define RP_NR_setresuid 117
#define RP_NR_setresgid 119
#define RP_NR_setfsuid 122
#define RP_NR_setfsgid 123
#define RP_NR_capset 126
#define RP_NR_mount 165
#define RP_NR_umount2 166
#define RP_NR_init_module 175
#define RP_NR_unshare 272
#define RP_NR_setns 308
#define RP_NR_finit_module 313
#define RP_NR_memfd_create 319
#define RP_NR_bpf 321

#endif
