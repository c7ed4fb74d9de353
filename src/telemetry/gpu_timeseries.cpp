#include "telemetry/gpu_timeseries.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "telemetry/gpu_json.h"

namespace servemeter::telemetry {

using nlohmann::json;

namespace {
// GPU names and nvidia-smi's messages are not ours: invalid UTF-8 is replaced, never thrown on.
std::string dump_line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}
}  // namespace

std::unique_ptr<GpuTimeseriesWriter> GpuTimeseriesWriter::open(const std::filesystem::path& path,
                                                               std::string_view probe,
                                                               const std::vector<GpuIdentity>& gpus,
                                                               std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot open the GPU time series " + path.string() + ": " + std::strerror(errno) +
            " (check that the folder exists and is writable)";
    return nullptr;
  }
  std::unique_ptr<GpuTimeseriesWriter> writer(new GpuTimeseriesWriter(fd, path));
  struct stat st {};
  if (fstat(fd, &st) == 0 && st.st_size == 0) {
    json ids = json::array();
    for (const auto& g : gpus)
      ids.push_back({{"index", g.index}, {"name", g.name}, {"uuid", g.uuid}});
    writer->write_line(dump_line(json{{"type", "header"},
                                      {"schema", kGpuTimeseriesSchema},
                                      {"clock", "CLOCK_MONOTONIC"},
                                      {"time_unit", "ns"},
                                      {"probe", probe},
                                      {"gpus", std::move(ids)}}));
  }
  if (!writer->write_error().empty()) {
    error = writer->write_error();
    return nullptr;
  }
  return writer;
}

GpuTimeseriesWriter::~GpuTimeseriesWriter() {
  ::close(fd_);
}

void GpuTimeseriesWriter::write_line(std::string line) {
  line += '\n';
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (write_error_.empty())
        write_error_ =
            "cannot write the GPU time series " + path_.string() + ": " + std::strerror(errno);
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

void GpuTimeseriesWriter::window_begin(const std::string& label, std::int64_t begin_ns,
                                       const GpuSample* idle) {
  write_line(dump_line(json{{"type", "window_begin"},
                            {"label", label},
                            {"begin_ns", begin_ns},
                            {"idle", idle ? gpu_sample_json(*idle) : json(nullptr)}}));
}

void GpuTimeseriesWriter::sample(const std::string& label, const GpuSample& s) {
  json line = gpu_sample_json(s);
  line["type"] = "sample";
  line["label"] = label;
  write_line(dump_line(line));
}

void GpuTimeseriesWriter::window_end(const std::string& label, std::int64_t end_ns,
                                     const GpuWindowSummary& summary) {
  write_line(dump_line(json{{"type", "window_end"},
                            {"label", label},
                            {"end_ns", end_ns},
                            {"summary", gpu_window_json(summary)}}));
}

}  // namespace servemeter::telemetry
