/* ProcessPrng for Wine 8, whose bcryptprimitives.dll lacks it. Rust's std (1.78 and later)
 * calls ProcessPrng at start-up for HashMap keys, so without it no Windows build of mcpcfg or
 * of its tests starts under Wine 8. Real Windows (10 and later) has it; this shim is only ever
 * installed into the test Wine prefix by tests/windows/run.sh. RtlGenRandom (exported by
 * advapi32 as SystemFunction036) gives the same bytes' quality. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
