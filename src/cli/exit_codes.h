#pragma once
// Process exit codes; the README's table lists them for users and scripts.
namespace servemeter::exit_code {

inline constexpr int kOk = 0;     // ran; failed requests (if any) are in the results
inline constexpr int kUsage = 2;  // bad flag or value: unknown framework/API, bad URL…
inline constexpr int kServerUnavailable = 3;  // no server answering, or its TLS cert untrusted
inline constexpr int kOutputUnwritable = 4;   // results folder or file could not be written
inline constexpr int kAllRequestsFailed = 5;  // a cell finished with no successful request
inline constexpr int kPresetError = 6;        // presets file missing or malformed
inline constexpr int kSimulatorError = 7;     // `servemeter sim` could not start (port in use…)
inline constexpr int kModelNotServed = 8;     // the server lists its models and ours is not one
inline constexpr int kInterrupted = 130;      // SIGINT/SIGTERM; cells already measured are kept

}  // namespace servemeter::exit_code
