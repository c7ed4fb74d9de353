#pragma once
// A statistic, or the reason it could not be computed (too few values, zero variance, …), so a
// figure that cannot be had is reported as missing with its reason, never as 0 or NaN.
#include <optional>
#include <string>
#include <utility>

namespace servemeter {

template <class T>
class Computed {
 public:
  Computed() : reason_("not computed") {}
  Computed(T value) : value_(std::move(value)) {}  // implicit: `return value;` reads naturally

  static Computed unavailable(std::string reason) {
    Computed c;
    c.reason_ = std::move(reason);
    return c;
  }

  bool has_value() const { return value_.has_value(); }
  explicit operator bool() const { return value_.has_value(); }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  const T& value() const { return value_.value(); }
  const std::optional<T>& optional() const { return value_; }
  // Empty when a value is present.
  const std::string& reason() const { return reason_; }

 private:
  std::optional<T> value_;
  std::string reason_;
};

}  // namespace servemeter
