/* bcryptprimitives.dll for wine 8.0, which lacks it: Go's Windows runtime (1.24+) takes its random bytes
 * from ProcessPrng and dies with "bcryptprimitives.dll not found" without it. RtlGenRandom
 * (advapi32!SystemFunction036) gives the same bytes. Tests only (scripts/wintest.sh); never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
