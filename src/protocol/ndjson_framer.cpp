#include "protocol/ndjson_framer.h"

#include <cstring>

namespace servemeter {

bool NdjsonFramer::feed(std::string_view bytes, std::int64_t arrival_ns, EventSink sink) {
  if (overflowed_) [[unlikely]]
    return false;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    const char* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* const line_end = lf != nullptr ? lf : end;
    if (partial_.size() + static_cast<size_t>(line_end - p) > max_bytes_) [[unlikely]]
      return overflow();
    if (lf == nullptr) {
      partial_.append(p, end);
      return true;
    }
    if (partial_.empty()) {
      emit(std::string_view(p, static_cast<size_t>(lf - p)), arrival_ns, sink);
    } else {
      partial_.append(p, lf);
      emit(partial_, arrival_ns, sink);
      partial_.clear();
    }
    p = lf + 1;
  }
  return true;
}

bool NdjsonFramer::overflow() {
  overflowed_ = true;
  std::string().swap(partial_);  // the memory goes too, not only the contents
  return false;
}

void NdjsonFramer::finish(std::int64_t arrival_ns, EventSink sink) {
  if (overflowed_ || partial_.empty()) return;
  emit(partial_, arrival_ns, sink);
  partial_.clear();
}

void NdjsonFramer::emit(std::string_view line, std::int64_t arrival_ns, EventSink& sink) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Only a line that starts with whitespace can be blank, so the full scan is rare.
  if (line.empty()) return;
  if ((line.front() == ' ' || line.front() == '\t') &&
      line.find_first_not_of(" \t\r") == std::string_view::npos) {
    return;
  }
  sink(line, arrival_ns);
}

}  // namespace servemeter
