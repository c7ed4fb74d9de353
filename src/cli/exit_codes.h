#pragma once
// Process exit codes; the README's table lists them for users and scripts.
namespace servemeter::exit_code {

inline constexpr int kOk = 0;     // ran; failed requests (if any) are in the results
inline constexpr int kUsage = 2;  // bad flag or value: unknown framework/API, bad URL, NaN…
inline constexpr int kServerUnavailable = 3;  // no server answering, its TLS cert untrusted, or
                                              // it wants an API key
inline constexpr int kOutputUnwritable = 4;   // results folder or file could not be written
inline constexpr int kAllRequestsFailed = 5;  // a cell finished with no successful request
inline constexpr int kPresetError = 6;        // presets file missing or malformed
inline constexpr int kSimulatorError = 7;     // `servemeter sim` could not start (port in use…)
inline constexpr int kModelNotServed = 8;     // the server lists its models and ours is not one
inline constexpr int kServerWentAway = 9;     // the server stopped accepting connections mid-run
inline constexpr int kInternalError = 10;     // a bug: what was measured is kept; please report
inline constexpr int kAnalyzeSkippedInput = 11;   // analyze: a file, lines or entries were
                                                  // skipped; the summary covers the rest
inline constexpr int kPreflightFailed = 12;       // `servemeter preflight` found a FAIL line
inline constexpr int kSuiteFrameworkFailed = 13;  // `servemeter suite`: a framework could not
                                                  // be started or its run failed; the others ran
inline constexpr int kInterrupted = 130;          // SIGINT (Ctrl-C); what was measured is kept
inline constexpr int kTerminated = 143;           // SIGTERM; what was measured is kept

}  // namespace servemeter::exit_code
