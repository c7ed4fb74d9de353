#include "protocol/sse_framer.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace servemeter {
namespace {

// The first CR or LF in [p, end), or nullptr: one pass for both line ends (two memchr calls cost
// twice the scan on every line).
const char* find_line_end(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int mask =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(block, cr), _mm_cmpeq_epi8(block, lf)));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    if (*p == '\n' || *p == '\r') return p;
  }
  return nullptr;
}

}  // namespace

bool SseFramer::feed(std::string_view bytes, std::int64_t arrival_ns, EventSink sink) {
  if (overflowed_) [[unlikely]]
    return false;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (p == end) return true;
  if (skip_lf_) {
    skip_lf_ = false;
    if (*p == '\n') ++p;
  }
  while (p < end) {
    const char* eol = find_line_end(p, end);
    if (eol == nullptr) {
      if (partial_.size() + static_cast<size_t>(end - p) > max_bytes_) [[unlikely]]
        return overflow();
      partial_.append(p, end);
      break;
    }
    if (partial_.empty()) {
      if (!line(std::string_view(p, static_cast<size_t>(eol - p)), true, arrival_ns, sink))
          [[unlikely]]
        return overflow();
    } else {
      if (partial_.size() + static_cast<size_t>(eol - p) > max_bytes_) [[unlikely]]
        return overflow();
      partial_.append(p, eol);
      if (!line(partial_, false, arrival_ns, sink)) [[unlikely]]
        return overflow();
      partial_.clear();
    }
    p = eol + 1;
    if (*eol == '\r') {
      if (p == end) {
        skip_lf_ = true;  // the LF of this CRLF may be the next read's first byte
      } else if (*p == '\n') {
        ++p;
      }
    }
  }
  // The read's memory is the caller's: an event still open must own its data from here on.
  if (has_data_ && data_in_view_) {
    data_.assign(data_view_);
    data_in_view_ = false;
  }
  return true;
}

bool SseFramer::overflow() {
  overflowed_ = true;
  std::string().swap(partial_);  // the memory goes too, not only the contents
  std::string().swap(data_);
  has_data_ = false;
  data_in_view_ = false;
  return false;
}

void SseFramer::finish(std::int64_t arrival_ns, EventSink sink) {
  if (overflowed_) return;
  partial_.clear();
  skip_lf_ = false;
  dispatch(arrival_ns, sink);
}

bool SseFramer::line(std::string_view text, bool in_read, std::int64_t arrival_ns,
                     EventSink& sink) {
  if (text.empty()) {
    dispatch(arrival_ns, sink);
    return true;
  }
  // Comments (": keep-alive") and every field but data (event, id, retry) carry nothing we need.
  if (text.size() < 4 || text.compare(0, 4, "data") != 0) return true;
  if (text.size() == 4) return append_data({}, in_read);
  if (text[4] != ':') return true;  // a field merely starting with "data"
  std::string_view value = text.substr(5);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return append_data(value, in_read);
}

bool SseFramer::append_data(std::string_view value, bool in_read) {
  if (!has_data_) {
    if (value.size() > max_bytes_) [[unlikely]]
      return false;
    has_data_ = true;
    data_in_view_ = in_read;
    if (in_read) {
      data_view_ = value;
    } else {
      data_.assign(value);
    }
    return true;
  }
  // Several data lines of one event are joined with LF (rare: servers send one line per event).
  const size_t joined = (data_in_view_ ? data_view_.size() : data_.size()) + 1 + value.size();
  if (joined > max_bytes_) return false;
  if (data_in_view_) {
    data_.assign(data_view_);
    data_in_view_ = false;
  }
  data_.push_back('\n');
  data_.append(value);
  return true;
}

void SseFramer::dispatch(std::int64_t arrival_ns, EventSink& sink) {
  if (!has_data_) return;
  sink(data_in_view_ ? data_view_ : std::string_view(data_), arrival_ns);
  has_data_ = false;
  data_in_view_ = false;
  data_.clear();  // keeps its capacity for the next straddling event
}

}  // namespace servemeter
