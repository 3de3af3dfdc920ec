"""Exit codes of the command line, and where crash logs go."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_BUG = 70  # sysexits.h EX_SOFTWARE: an internal error
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
CRASH_FOLDER = ".log"  # in output/: crash-<time>.txt, the traceback of an internal error
