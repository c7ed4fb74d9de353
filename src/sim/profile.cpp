#include "sim/profile.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "sim/profile_traits.h"

namespace servemeter::sim {
namespace {

CacheKind parse_cache(const std::string& s, const std::string& where) {
  if (s == "none") return CacheKind::none;
  if (s == "radix") return CacheKind::radix;
  if (s == "blocks") return CacheKind::blocks;
  if (s == "slot") return CacheKind::slot;
  throw std::runtime_error(where + ": cache must be none|radix|blocks|slot, got '" + s + "'");
}

template <typename T>
void read(const YAML::Node& node, const char* key, T& out) {
  if (node[key]) out = node[key].as<T>();
}

}  // namespace

std::string default_profiles_path() {
  return SERVEMETER_SIM_PROFILES;
}

ProfileParams load_profile(const std::string& path, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error("cannot read simulator profiles file '" + path + "': " + e.what() +
                             " (give another one with --profiles-file)");
  }
  const YAML::Node profiles = root["profiles"];
  if (!profiles || !profiles[name]) {
    throw std::runtime_error("profile '" + name + "' not found in '" + path +
                             "' (known: " + profile_names() + ")");
  }
  const YAML::Node p = profiles[name];
  const std::string where = path + ": profiles." + name;
  ProfileParams out;
  out.name = name;
  try {
    read(p, "default_model", out.default_model);
    read(p, "version", out.version);
    read(p, "context_length", out.context_length);
    read(p, "max_running", out.max_running);
    read(p, "kv_capacity_tokens", out.kv_capacity_tokens);
    if (p["step_base_ms"]) out.step_base_ns = p["step_base_ms"].as<double>() * 1e6;
    if (p["step_per_seq_ms"]) out.step_per_seq_ns = p["step_per_seq_ms"].as<double>() * 1e6;
    if (p["step_per_kv_token_us"])
      out.step_per_kv_ns = p["step_per_kv_token_us"].as<double>() * 1e3;
    if (p["prefill_per_token_us"]) {
      out.prefill_per_token_ns = p["prefill_per_token_us"].as<double>() * 1e3;
    }
    if (p["cache"]) out.cache = parse_cache(p["cache"].as<std::string>(), where);
    read(p, "block_size", out.block_size);
    read(p, "cache_capacity_tokens", out.cache_capacity_tokens);
    read(p, "output_len_mean", out.output_len_mean);
    read(p, "output_len_sigma", out.output_len_sigma);
    if (p["load_duration_ms"]) out.load_duration_ns = p["load_duration_ms"].as<double>() * 1e6;
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
  if (out.max_running < 1 || out.context_length < 16 || out.kv_capacity_tokens < 16 ||
      out.block_size < 1 || out.output_len_mean < 1) {
    throw std::runtime_error(where +
                             ": max_running, context_length, kv_capacity_tokens, block_size and "
                             "output_len_mean must be positive");
  }
  return out;
}

}  // namespace servemeter::sim
