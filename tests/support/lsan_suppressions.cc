// Leaks LeakSanitizer should not report in sanitizer builds: c-ares (gRPC's
// DNS resolver) keeps a few bytes per resolver for the life of the process.
extern "C" const char* __lsan_default_suppressions() { return "leak:libcares.so\n"; }
