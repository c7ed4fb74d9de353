#pragma once
// A non-owning reference to "what to do with one framed event". The framers call it once per
// complete event; a plain function pointer + object keeps the framers out of headers without the
// allocation or indirection cost of std::function on the hot path.
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

namespace servemeter {

class EventSink {
 public:
  // `f` must outlive every call; pass a lambda straight into feed()/finish().
  template <class F>
  requires(!std::is_same_v<std::decay_t<F>, EventSink>) EventSink(F&& f)
  noexcept  // NOLINT(google-explicit-constructor): used like a function argument
      : object_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* object, std::string_view payload, std::int64_t arrival_ns) {
          (*static_cast<std::remove_reference_t<F>*>(object))(payload, arrival_ns);
        }) {}

  // `payload` is valid only during the call; `arrival_ns` is the stamp of the read that completed
  // the event.
  void operator()(std::string_view payload, std::int64_t arrival_ns) const {
    call_(object_, payload, arrival_ns);
  }

 private:
  void* object_;
  void (*call_)(void*, std::string_view, std::int64_t);
};

}  // namespace servemeter
