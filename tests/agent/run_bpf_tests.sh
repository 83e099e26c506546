#!/bin/bash
# run_bpf_tests.sh TEST_BINARY — runs the agent's root BPF tests, then sweeps
# whatever they may have left behind.  The test removes everything itself
# (atexit and fatal-signal handlers); this is the second line, for a test
# killed by SIGKILL.  Only resources named after this run's test pid are
# touched, so concurrent runs by others are left alone.
set -u
bin=$1
"$bin" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' INT TERM
wait "$pid"
rc=$?
tag="rampart-test-$pid"
cg="/sys/fs/cgroup/unified/$tag"
if [ -d "$cg" ]; then
    # Deepest first; stragglers go back to the root cgroup before rmdir.
    find "$cg" -depth -type d | while read -r d; do
        while read -r p; do echo "$p" > /sys/fs/cgroup/unified/cgroup.procs 2>/dev/null; done < "$d/cgroup.procs"
        rmdir "$d" 2>/dev/null
    done
fi
ip netns del "$tag" 2>/dev/null
if mountpoint -q "/tmp/$tag/bpffs" 2>/dev/null; then umount -l "/tmp/$tag/bpffs"; fi
rm -rf "/tmp/$tag"
exit $rc
