/* Test scaffolding for Wine only; never shipped. Debian's Wine 8 has no bcryptprimitives.dll,
 * whose ProcessPrng Rust's standard library imports on Windows (since Rust 1.78), so no Rust
 * program starts under it. This DLL exports ProcessPrng and forwards to advapi32's RtlGenRandom
 * (SystemFunction036), which Wine has; scripts/test-windows.sh puts it in a private prefix. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    /* RtlGenRandom takes a ULONG length: fill larger requests in chunks. */
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
