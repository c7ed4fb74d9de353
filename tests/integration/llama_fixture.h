#pragma once
// Starting a real llama-server from a test is one line:
//   START_LLAMA_SERVER_OR_SKIP(server, {.slots = 4, .context = 8192});
// Not built here: the test is reported as skipped with the reason (never silently passed);
// under CI (CI=true) that is a failure instead, since CI must run these tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "support/llama/llama_server_process.h"

namespace servemeter::testsupport {

inline bool running_under_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace servemeter::testsupport

#define START_LLAMA_SERVER_OR_SKIP(name, ...)                                        \
  auto name = ::servemeter::testsupport::LlamaServerProcess::start(__VA_ARGS__);     \
  if (!name.unavailable_reason().empty()) {                                          \
    if (::servemeter::testsupport::running_under_ci())                               \
      FAIL() << "CI must run the llama-server tests: " << name.unavailable_reason(); \
    GTEST_SKIP() << "llama-server unavailable: " << name.unavailable_reason();       \
  }                                                                                  \
  ASSERT_TRUE(name.error().empty()) << name.error()
