/* win32/pcapload: which libpcap DLL pdnslog.exe runs with.  pcap.dll is
 * delay-loaded (the import library is made with dlltool -y): at the first
 * libpcap call this hook loads Npcap's wpcap.dll from
 * %SystemRoot%\System32\Npcap when Npcap is installed -- live capture
 * needs it, and Npcap keeps it there, not on the search path -- and
 * otherwise lets Windows load the pcap.dll shipped beside the .exe, a
 * libpcap without a capture driver (files and standard input only).
 * Neither found: one line, exit status 1. */
#include "platform/platform.h"

#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <delayimp.h>

#include "platform/win32/win32.h"

static char loaded[MAX_PATH + 32] = "pcap.dll beside pdnslog.exe";

static FARPROC WINAPI on_load(unsigned what, PDelayLoadInfo info)
{
	if (what != dliNotePreLoadLibrary || _stricmp(info->szDll, "pcap.dll") != 0)
		return NULL;
	char path[MAX_PATH + 32];
	UINT n = GetSystemDirectoryA(path, MAX_PATH);
	if (n == 0 || n >= MAX_PATH)
		return NULL;
	strcat(path, "\\Npcap\\wpcap.dll");
	/* Its Packet.dll is found beside it. */
	HMODULE h = LoadLibraryExA(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
	if (h)
		strcpy(loaded, path);
	return (FARPROC)h; /* NULL: the usual search, the .exe's folder first */
}

static FARPROC WINAPI on_failure(unsigned what, PDelayLoadInfo info)
{
	if (what == dliFailLoadLib)
		fprintf(stderr, "pdnslog: cannot load libpcap: install Npcap (https://npcap.com), or keep "
			"pcap.dll beside pdnslog.exe\n");
	else
		fprintf(stderr, "pdnslog: %s lacks %s\n", loaded,
			info->dlp.fImportByName ? info->dlp.szProcName : "a function pdnslog needs");
	exit(1);
}

void win32_pcap_hooks(void)
{
	__pfnDliNotifyHook2 = on_load;
	__pfnDliFailureHook2 = on_failure;
}

const char *platform_pcap_origin(void)
{
	return loaded;
}
