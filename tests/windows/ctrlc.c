/* The console's Ctrl-C, for the Windows suite: `ctrlc PID` joins the console of process PID and
 * raises Ctrl-C there, as a person pressing it in that window would. Every process on that
 * console gets it; this one ignores it. tests/windows/run.sh builds it with mingw-w64 and names
 * it in MCPCFG_TEST_CTRL_C (C, because Rust's std has no way to raise a console event and the
 * mcpcfg crate forbids `unsafe`). */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: ctrlc PID\n");
        return 2;
    }
    DWORD pid = (DWORD)strtoul(argv[1], NULL, 10);
    FreeConsole();
    if (!AttachConsole(pid)) {
        fprintf(stderr, "ctrlc: cannot join the console of process %lu (error %lu)\n", pid, GetLastError());
        return 1;
    }
    SetConsoleCtrlHandler(NULL, TRUE);
    if (!GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)) {
        fprintf(stderr, "ctrlc: cannot raise Ctrl-C (error %lu)\n", GetLastError());
        return 1;
    }
    /* The event is delivered by threads the console starts: stay attached until it is. */
    Sleep(500);
    return 0;
}
