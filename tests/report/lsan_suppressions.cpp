// LeakSanitizer reads this hook at start-up (asan preset). fontconfig keeps the patterns that
// pango's process-wide font map caches in its own encoded form, which LeakSanitizer cannot follow,
// so they show as leaks at exit although they stay in use until then. Leaks with no fontconfig
// frame in their allocation stack are still reported.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
