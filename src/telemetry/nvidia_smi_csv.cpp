#include "telemetry/nvidia_smi_csv.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace servemeter::telemetry {
namespace {

constexpr std::size_t kMaxBadLines = 3;
constexpr std::size_t kGpuFields = 10;  // the fields of kSmiGpuQuery

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

// Fields in the middle that may hold commas themselves (a GPU or process name) are joined back.
std::string join(const std::vector<std::string_view>& fields, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) out += ", ";
    out += fields[i];
  }
  return out;
}

template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));
    if (!line.empty()) fn(line);
    start = end + 1;
  }
}

std::optional<std::string> text_field(std::string_view field) {
  if (field.empty() || field.front() == '[' || field == "N/A") return std::nullopt;
  return std::string(field);
}

std::optional<long> parse_integer(std::string_view field) {
  long value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> parse_smi_number(std::string_view field) {
  field = trim(field);
  if (field.empty()) return std::nullopt;
  double value = 0;
  const char* first = field.data();
  if (*first == '+') ++first;  // from_chars takes no leading '+'
  const auto [end, ec] = std::from_chars(first, field.data() + field.size(), value);
  if (ec != std::errc() || !std::isfinite(value)) return std::nullopt;
  // Anything after the number must be a unit: spaces then letters/'%' only ("75.3 W", "30 %").
  for (const char* p = end; p < field.data() + field.size(); ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (!std::isalpha(c) && !std::isspace(c) && c != '%') return std::nullopt;
  }
  return value;
}

SmiGpuTable parse_smi_gpu_csv(std::string_view text) {
  SmiGpuTable table;
  for_each_line(text, [&](std::string_view line) {
    const auto f = split_fields(line);
    const std::optional<long> index = f.empty() ? std::nullopt : parse_integer(f[0]);
    if (f.size() < kGpuFields || !index || *index < 0) {
      if (table.bad_lines.size() < kMaxBadLines) table.bad_lines.emplace_back(line.substr(0, 200));
      return;
    }
    // index, name…, uuid and the 7 trailing fields; a name with commas spans several fields.
    const std::size_t n = f.size();
    SmiGpuRow row;
    row.identity.index = static_cast<int>(*index);
    row.identity.name = join(f, 1, n - 8);
    row.identity.uuid = text_field(f[n - 8]).value_or("");
    GpuReading& r = row.reading;
    r.index = row.identity.index;
    r.memory_used_mib = parse_smi_number(f[n - 7]);
    r.memory_total_mib = parse_smi_number(f[n - 6]);
    r.utilization_pct = parse_smi_number(f[n - 5]);
    r.power_w = parse_smi_number(f[n - 4]);
    r.temperature_c = parse_smi_number(f[n - 3]);
    r.sm_clock_mhz = parse_smi_number(f[n - 2]);
    row.driver_version = text_field(f[n - 1]);
    table.rows.push_back(std::move(row));
  });
  return table;
}

std::vector<SmiProcessRow> parse_smi_process_csv(std::string_view text) {
  std::vector<SmiProcessRow> rows;
  for_each_line(text, [&](std::string_view line) {
    const auto f = split_fields(line);
    if (f.size() < 4) return;
    const std::optional<long> pid = parse_integer(f[1]);
    if (!pid) return;  // "No running processes found" and other prose
    SmiProcessRow row;
    row.gpu_uuid = std::string(f[0]);
    row.process.pid = *pid;
    row.process.name = text_field(join(f, 2, f.size() - 1)).value_or("");
    row.process.used_memory_mib = parse_smi_number(f.back());
    rows.push_back(std::move(row));
  });
  return rows;
}

std::optional<std::string> parse_smi_cuda_version(std::string_view banner) {
  constexpr std::string_view key = "CUDA Version:";
  const std::size_t at = banner.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t p = at + key.size();
  while (p < banner.size() && banner[p] == ' ') ++p;
  std::size_t end = p;
  while (end < banner.size() &&
         (std::isdigit(static_cast<unsigned char>(banner[end])) || banner[end] == '.'))
    ++end;
  if (end == p) return std::nullopt;
  return std::string(banner.substr(p, end - p));
}

}  // namespace servemeter::telemetry
