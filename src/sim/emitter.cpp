#include "sim/emitter.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace servemeter::sim {

std::string json_string(std::string_view s) {
  return nlohmann::json(std::string(s)).dump();
}

std::string json_double(double v) {
  return nlohmann::json(v).dump();
}

std::int64_t unix_seconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

std::string rfc3339_nano_utc() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
  std::size_t len = 10;
  while (len > 1 && frac[len - 1] == '0') --len;  // Go trims trailing zeros, and "." if all
  std::string out(buf, n);
  if (len > 1) out.append(frac, len);
  out += 'Z';
  return out;
}

std::unique_ptr<StreamEmitter> make_emitter(const StreamInfo& info) {
  if (info.api == Api::ollama_chat || info.api == Api::ollama_generate ||
      info.api == Api::sglang_generate) {
    return make_native_emitter(info);
  }
  if (info.dialect == Dialect::ollama || info.dialect == Dialect::llamacpp)
    return make_compat_emitter(info);
  return make_openai_emitter(info);
}

}  // namespace servemeter::sim
