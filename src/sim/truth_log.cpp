#include "sim/truth_log.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sim/emitter.h"

namespace servemeter::sim {
namespace {

void put_ns(std::string& out, std::int64_t v) {
  if (v < 0) {
    out += "null";
  } else {
    out += std::to_string(v);
  }
}

}  // namespace

TruthLog::~TruthLog() {
  flush();
  if (file_ != nullptr) std::fclose(file_);
}

void TruthLog::open(const std::string& path) {
  file_ = std::fopen(path.c_str(), "w");
  if (file_ == nullptr) {
    throw std::runtime_error("cannot open truth log '" + path +
                             "' for writing: " + std::strerror(errno));
  }
  buffer_.reserve(1 << 20);
}

void TruthLog::append(const TruthRecord& r) {
  if (file_ == nullptr) return;
  buffer_ += "{\"id\":";
  buffer_ += std::to_string(r.id);
  buffer_ += ",\"client_id\":";
  buffer_ += r.client_id.empty() ? std::string("null") : json_string(r.client_id);
  buffer_ += ",\"arrival_ns\":";
  put_ns(buffer_, r.arrival_ns);
  buffer_ += ",\"read_ns\":";
  put_ns(buffer_, r.read_ns);
  buffer_ += ",\"first_token_ns\":";
  put_ns(buffer_, r.first_token_ns);
  buffer_ += ",\"last_token_ns\":";
  put_ns(buffer_, r.last_token_ns);
  buffer_ += ",\"end_ns\":";
  put_ns(buffer_, r.end_ns);
  buffer_ += ",\"input_tokens\":" + std::to_string(r.input_tokens);
  buffer_ += ",\"cached_tokens\":" + std::to_string(r.cached_tokens);
  buffer_ += ",\"output_tokens\":" + std::to_string(r.output_tokens);
  buffer_ += ",\"status\":" + std::to_string(r.status);
  buffer_ += ",\"fault\":";
  buffer_ += r.fault.empty() ? std::string("null") : json_string(r.fault);
  buffer_ += "}\n";
}

void TruthLog::flush() {
  if (file_ == nullptr || buffer_.empty()) return;
  std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  std::fflush(file_);
  buffer_.clear();
}

}  // namespace servemeter::sim
