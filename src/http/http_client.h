#pragma once
// Streaming HTTP client driven by an EventLoop on one thread (wrk's model): thousands of
// concurrent streams, no locks, no per-event allocation. http:// requests run on servemeter's
// own HTTP/1.1 code (plain_transfer.h); https:// ones on libcurl's multi-socket interface. Not
// thread-safe: call everything from the thread that runs the loop.
//
// Timing contract (DESIGN.md), on either transport:
//   record.send_ns  — stamped on the connected (or reused) socket immediately before the
//                     request bytes are written (curl: its pre-request callback); never the
//                     queueing time. On a retry, the attempt that got the answer.
//   arrival stamps  — taken as soon as a read returns (curl: entry of its write callback),
//                     before any parsing.
//   record.end_ns   — when the transfer is done (or failed).
#include <curl/curl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/request_record.h"
#include "http/client_options.h"
#include "http/event_loop.h"
#include "http/keep_alive.h"
#include "protocol/api_adapter.h"

namespace servemeter::http {

struct TransferSpec {
  std::string_view url;   // full URL; NUL-terminated (e.g. a std::string's view), copied by curl
  std::string_view body;  // POST JSON body; NOT copied: must outlive the transfer
  StreamParser* parser = nullptr;       // fed the body of a 2xx answer; outlives the transfer
  const ApiAdapter* adapter = nullptr;  // reads a non-2xx body (record_http_error)
  RequestRecord* record = nullptr;      // filled in place; record->id goes out as X-Request-Id
  std::uint64_t tag = 0;                // handed back on completion
};

class CompletionHandler {
 public:
  virtual ~CompletionHandler() = default;
  // The record is final (error kind set, end_ns stamped). May start new transfers.
  virtual void on_complete(std::uint64_t tag, RequestRecord& record) = 0;
};

class Transfer;       // one easy handle and its per-request state (transfer.h)
class PlainTransfer;  // one virtual user's plain-HTTP connection (plain_transfer.h)
struct PlainTarget;

class HttpClient final : private FdHandler, private LoopHook, private TimerHandler {
 public:
  HttpClient(EventLoop& loop, ClientOptions options, CompletionHandler& on_done);
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queue a request; it is connected and sent as the loop runs. Returns immediately.
  void start(const TransferSpec& spec);

  std::size_t in_flight() const noexcept { return in_flight_; }
  // End every request in flight now as `cancelled`; each completes through the handler, which
  // may not start new ones from there (it is told to stop sending first).
  void cancel_all();
  // New TCP connections opened so far (reuse shows as fewer connections than requests).
  std::int64_t connections_opened() const noexcept { return connections_opened_; }

 private:
  friend class Transfer;
  friend class PlainTransfer;
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
  static int on_timer_change(CURLM* multi, long timeout_ms, void* self);

  void on_fd_ready(int fd, std::uint32_t epoll_events) override;
  void on_timer(std::uint64_t tag, std::int64_t due_ns, std::int64_t fired_ns) override;
  std::int64_t deadline_ns() const override;
  void on_deadline() override;
  bool busy() const override { return in_flight_ > 0; }

  void drain_completions();
  Transfer* acquire();
  void add_to_multi(Transfer* t);
  // What is known of the keep-alive of the server at `url` (https:// or curl transport).
  KeepAliveHabit& curl_habit(std::string_view url);
  bool wants_plain(std::string_view url) const;
  void start_plain(const TransferSpec& spec);
  // The parsed and resolved URL, or the reason it cannot be used (cached per URL).
  PlainTarget* plain_target(std::string_view url, std::string& why);
  void note_new_connection() { ++connections_opened_; }
  void plain_done(PlainTransfer* transfer, const TransferSpec& spec);
  void sweep_plain(std::int64_t now);

  EventLoop& loop_;
  ClientOptions options_;
  CompletionHandler& on_done_;
  CURLM* multi_ = nullptr;
  std::int64_t curl_deadline_ns_ = -1;
  std::size_t in_flight_ = 0;
  std::int64_t connections_opened_ = 0;
  std::vector<std::unique_ptr<Transfer>> all_;
  std::vector<Transfer*> free_;
  std::vector<std::unique_ptr<PlainTransfer>> plain_all_;
  std::vector<PlainTransfer*> plain_free_;
  std::vector<char> plain_read_buffer_;  // every plain transfer reads into this one
  // Looked up by the request's string_view, without building a key per request.
  struct UrlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view url) const noexcept {
      return std::hash<std::string_view>{}(url);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<PlainTarget>, UrlHash, std::equal_to<>>
      plain_targets_;
  std::unordered_map<std::string, std::string, UrlHash, std::equal_to<>> plain_target_errors_;
  std::unordered_map<std::string, KeepAliveHabit, UrlHash, std::equal_to<>> curl_habits_;
  std::string last_curl_url_;  // the URL curl_habit() looked up last, and its answer
  KeepAliveHabit* last_curl_habit_ = nullptr;
  std::size_t plain_in_flight_ = 0;
  bool plain_due_now_ = false;        // a plain transfer failed to start: report it at once
  std::int64_t plain_sweep_ns_ = -1;  // next deadline check of plain transfers
  // Headers every request shares; each transfer chains its own X-Request-Id node in front.
  curl_slist content_type_header_{};
  curl_slist expect_header_{};
};

}  // namespace servemeter::http
