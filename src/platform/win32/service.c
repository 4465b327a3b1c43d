/* win32/service: pdnslog.exe as a Windows service, speaking the Service
 * Control Manager's protocol itself (`sc.exe create pdnslog binPath= "...
 * pdnslog.exe -dev ... -quiet -logfile ..."`).  At start, when its parent
 * is services.exe (asking from a console would wait for nothing, ten
 * seconds under Wine), a thread offers itself to the SCM as the control
 * dispatcher; started by the SCM, its ServiceMain reports
 * RUNNING and a stop or shutdown request stops pdnslog as Ctrl-C does
 * (every record written), after which the exit reports STOPPED with
 * pdnslog's exit status (0, or 1 as a service-specific code; the SCM's
 * event log shows it). */
#include "platform/platform.h"

#include <stdlib.h>
#include <windows.h>
#include <tlhelp32.h>

#include "platform/win32/win32.h"

static atomic_int *stop_flag;
static SERVICE_STATUS_HANDLE handle;
static SERVICE_STATUS status = { .dwServiceType = SERVICE_WIN32_OWN_PROCESS };
static HANDLE decided;  /* set once it is known whether this is a service */
static HANDLE finished; /* set at exit: ServiceMain may return */
static int exit_status = -1;

static DWORD WINAPI on_control(DWORD control, DWORD type, void *data, void *ctx)
{
	switch (control) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_SHUTDOWN:
		status.dwCurrentState = SERVICE_STOP_PENDING;
		status.dwControlsAccepted = 0;
		status.dwWaitHint = 30000;
		SetServiceStatus(handle, &status);
		*stop_flag = 1;
		win32_input_stop();
		return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		return NO_ERROR;
	}
	return ERROR_CALL_NOT_IMPLEMENTED;
}

static void WINAPI service_main(DWORD argc, char **argv)
{
	handle = RegisterServiceCtrlHandlerExA(argc > 0 ? argv[0] : "pdnslog", on_control, NULL);
	if (handle) {
		status.dwCurrentState = SERVICE_RUNNING;
		status.dwControlsAccepted = SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN;
		SetServiceStatus(handle, &status);
	}
	SetEvent(decided);
	if (handle)
		WaitForSingleObject(finished, INFINITE);
}

/* At exit: STOPPED, with how pdnslog ended (an early error: 1). */
static void report_stopped(void)
{
	int rc = exit_status < 0 ? 1 : exit_status;
	status.dwCurrentState = SERVICE_STOPPED;
	status.dwControlsAccepted = 0;
	status.dwWin32ExitCode = rc ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR;
	status.dwServiceSpecificExitCode = (DWORD)rc;
	SetServiceStatus(handle, &status);
	SetEvent(finished);
}

static DWORD WINAPI dispatcher(void *arg)
{
	static SERVICE_TABLE_ENTRYA table[] = { { "", service_main }, { NULL, NULL } };
	StartServiceCtrlDispatcherA(table); /* returns when the service stopped, or at once */
	SetEvent(decided);
	return 0;
}

/* Started by the SCM: the parent process is services.exe. */
static bool parent_is_scm(void)
{
	HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
	if (snap == INVALID_HANDLE_VALUE)
		return false;
	DWORD self = GetCurrentProcessId(), parent = 0;
	PROCESSENTRY32 pe = { .dwSize = sizeof pe };
	for (BOOL more = Process32First(snap, &pe); more && !parent; more = Process32Next(snap, &pe))
		if (pe.th32ProcessID == self)
			parent = pe.th32ParentProcessID;
	bool scm = false;
	pe.dwSize = sizeof pe;
	for (BOOL more = parent && Process32First(snap, &pe); more && !scm; more = Process32Next(snap, &pe))
		scm = pe.th32ProcessID == parent && _stricmp(pe.szExeFile, "services.exe") == 0;
	CloseHandle(snap);
	return scm;
}

bool win32_service_start(atomic_int *stop)
{
	stop_flag = stop;
	if (!parent_is_scm())
		return false;
	decided = CreateEventA(NULL, TRUE, FALSE, NULL);
	finished = CreateEventA(NULL, TRUE, FALSE, NULL);
	HANDLE t = decided && finished ? CreateThread(NULL, 0, dispatcher, NULL, 0, NULL) : NULL;
	if (!t)
		return false;
	CloseHandle(t);
	WaitForSingleObject(decided, INFINITE);
	if (!handle)
		return false;
	atexit(report_stopped);
	return true;
}

int platform_finish(int rc)
{
	exit_status = rc;
	return rc;
}
