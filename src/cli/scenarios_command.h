#pragma once
#include <iosfwd>

namespace servemeter {

// `servemeter scenarios`: every built-in scenario with its cells, request counts and an
// estimate of its duration per framework. Returns an exit code.
int scenarios_command(std::ostream& out);

}  // namespace servemeter
