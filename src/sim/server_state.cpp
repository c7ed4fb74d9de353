#include "sim/server_state.h"

#include <cstdio>
#include <stdexcept>

#include "core/clock.h"

namespace servemeter::sim {

namespace {

const ProfileTraits& traits_of(const std::string& profile) {
  const ProfileTraits* traits = find_profile_traits(profile);
  if (traits == nullptr)
    throw std::invalid_argument("--profile must be " + profile_names() + ", got '" + profile + "'");
  return *traits;
}

}  // namespace

ServerState::ServerState(boost::asio::io_context& io, SimOptions opts, ProfileParams prof)
    : ioc(io),
      options(std::move(opts)),
      profile(std::move(prof)),
      traits(traits_of(profile.name)),
      rng(options.seed) {
  model = options.model.empty() ? profile.default_model : options.model;
  fixed_timing = options.ttft_ms.has_value() && options.itl_ms.has_value();
  start_ns = monotonic_ns();
  counters.ttft_buckets.assign(std::size(kTtftBuckets), 0);
  char scale[32];
  std::snprintf(scale, sizeof scale, "%g", options.time_scale);
  simulated_headers =
      "x-servemeter-simulated: 1\r\nx-servemeter-time-scale: " + std::string(scale) + "\r\n";
}

bool ServerState::loading() const {
  return options.loading_s > 0 &&
         static_cast<double>(monotonic_ns() - start_ns) < options.loading_s * 1e9;
}

bool ServerState::model_matches(const std::string& name) const {
  if (name == model) return true;
  if (traits.model_latest_alias) {
    auto base = [](const std::string& m) {
      return m.find(':') == std::string::npos ? m + ":latest" : m;
    };
    return base(name) == base(model);
  }
  return false;
}

void ServerState::record_ttft(double seconds) {
  ++counters.ttft_count;
  counters.ttft_sum_s += seconds;
  for (std::size_t i = 0; i < std::size(kTtftBuckets); ++i) {
    if (seconds <= kTtftBuckets[i]) ++counters.ttft_buckets[i];
  }
}

}  // namespace servemeter::sim
