#pragma once
#include <string_view>

namespace servemeter {
inline constexpr std::string_view kVersion = SERVEMETER_VERSION;
}
