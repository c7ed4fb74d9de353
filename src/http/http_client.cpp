#include "http/http_client.h"

#include <netdb.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "core/clock.h"
#include "http/plain_transfer.h"
#include "http/transfer.h"

namespace servemeter::http {
namespace {

// curl_slist wants mutable char*; these are never written.
char kContentTypeHeader[] = "Content-Type: application/json";
char kNoExpectHeader[] = "Expect:";  // no 100-continue round trip before large prompts

// How often deadlines (connect, request, stall) of plain-HTTP transfers are checked.
constexpr std::int64_t kPlainSweepNs = 50'000'000;

// A curl-allocated string, freed on scope exit.
struct CurlString {
  char* text = nullptr;
  ~CurlString() { curl_free(text); }
};

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HttpClient::HttpClient(EventLoop& loop, ClientOptions options, CompletionHandler& on_done)
    : loop_(loop), options_(std::move(options)), on_done_(on_done) {
  global_init_once();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed (out of memory?)");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &HttpClient::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &HttpClient::on_timer_change);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_NOTHING));
  content_type_header_.data = kContentTypeHeader;
  content_type_header_.next = &expect_header_;
  expect_header_.data = kNoExpectHeader;
  expect_header_.next = nullptr;
  loop_.set_hook(this);
}

HttpClient::~HttpClient() {
  loop_.cancel_timers(this);
  plain_all_.clear();  // closes their connections while the loop is still alive
  for (auto& t : all_) curl_multi_remove_handle(multi_, t->easy());  // no-op for idle handles
  all_.clear();  // easy handles go before the multi handle
  curl_multi_cleanup(multi_);
  loop_.set_hook(nullptr);
}

Transfer* HttpClient::acquire() {
  if (free_.empty()) {
    all_.push_back(std::make_unique<Transfer>(options_, &content_type_header_));
    return all_.back().get();
  }
  Transfer* t = free_.back();
  free_.pop_back();
  return t;
}

void HttpClient::start(const TransferSpec& spec) {
  if (wants_plain(spec.url)) {
    start_plain(spec);
    return;
  }
  Transfer* t = acquire();
  t->prepare(spec, curl_habit(spec.url));
  ++in_flight_;
  if (t->must_settle()) [[unlikely]] {
    // The tag is the transfer: transfers live as long as the client, which cancels its timers.
    loop_.schedule_at(t->settle_until_ns(), this, reinterpret_cast<std::uintptr_t>(t));
    return;
  }
  add_to_multi(t);
}

void HttpClient::on_timer(std::uint64_t tag, std::int64_t, std::int64_t) {
  auto* t = reinterpret_cast<Transfer*>(static_cast<std::uintptr_t>(tag));
  t->settled();
  add_to_multi(t);
}

void HttpClient::add_to_multi(Transfer* t) {
  const CURLMcode rc = curl_multi_add_handle(multi_, t->easy());
  if (rc != CURLM_OK) {
    --in_flight_;
    free_.push_back(t);
    throw std::runtime_error(std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
  }
}

KeepAliveHabit& HttpClient::curl_habit(std::string_view url) {
  // Requests of a run share one URL: usually the same as last time, no hashing.
  if (last_curl_habit_ == nullptr || url != last_curl_url_) {
    auto it = curl_habits_.find(url);
    if (it == curl_habits_.end()) it = curl_habits_.emplace(url, KeepAliveHabit::unknown).first;
    last_curl_url_ = url;
    last_curl_habit_ = &it->second;
  }
  return *last_curl_habit_;
}

int HttpClient::on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
  auto* client = static_cast<HttpClient*>(self);
  switch (what) {
    case CURL_POLL_REMOVE:
      client->loop_.unwatch(fd);
      break;
    case CURL_POLL_IN:
      client->loop_.watch(fd, EPOLLIN, client);
      break;
    case CURL_POLL_OUT:
      client->loop_.watch(fd, EPOLLOUT, client);
      break;
    case CURL_POLL_INOUT:
      client->loop_.watch(fd, EPOLLIN | EPOLLOUT, client);
      break;
    default:
      break;
  }
  return 0;
}

int HttpClient::on_timer_change(CURLM*, long timeout_ms, void* self) {
  // Never call back into curl from here (curl's rule); the loop runs it after this batch.
  auto* client = static_cast<HttpClient*>(self);
  client->curl_deadline_ns_ = timeout_ms < 0 ? -1 : monotonic_ns() + timeout_ms * 1'000'000;
  return 0;
}

void HttpClient::on_fd_ready(int fd, std::uint32_t epoll_events) {
  int flags = 0;
  if ((epoll_events & (EPOLLIN | EPOLLHUP)) != 0) flags |= CURL_CSELECT_IN;
  if ((epoll_events & EPOLLOUT) != 0) flags |= CURL_CSELECT_OUT;
  if ((epoll_events & EPOLLERR) != 0) flags |= CURL_CSELECT_ERR;
  int running = 0;
  curl_multi_socket_action(multi_, fd, flags, &running);
  drain_completions();
}

std::int64_t HttpClient::deadline_ns() const {
  if (plain_due_now_) return 0;
  if (curl_deadline_ns_ < 0) return plain_sweep_ns_;
  if (plain_sweep_ns_ < 0) return curl_deadline_ns_;
  return std::min(curl_deadline_ns_, plain_sweep_ns_);
}

void HttpClient::on_deadline() {
  const std::int64_t now = monotonic_ns();
  if (curl_deadline_ns_ >= 0 && curl_deadline_ns_ <= now) {
    curl_deadline_ns_ = -1;  // curl re-arms through on_timer_change if it still needs one
    int running = 0;
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    drain_completions();
  }
  if (plain_due_now_ || (plain_sweep_ns_ >= 0 && plain_sweep_ns_ <= now)) sweep_plain(now);
}

bool HttpClient::wants_plain(std::string_view url) const {
  if (options_.transport == ClientOptions::Transport::curl) return false;
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(url[i])) != kScheme[i]) return false;
  }
  return true;
}

PlainTarget* HttpClient::plain_target(std::string_view url, std::string& why) {
  if (const auto it = plain_targets_.find(url); it != plain_targets_.end()) return it->second.get();
  if (const auto it = plain_target_errors_.find(url); it != plain_target_errors_.end()) {
    why = it->second;
    return nullptr;
  }
  const std::string key(url);  // a new URL: parsed and resolved once
  // curl's URL parser (the same rules as the https:// path), then one blocking resolve per URL.
  auto target = std::make_unique<PlainTarget>();
  CURLU* parsed = curl_url();
  CurlString host, port, path, query;
  const bool ok =
      parsed != nullptr && curl_url_set(parsed, CURLUPART_URL, key.c_str(), 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_HOST, &host.text, 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_PORT, &port.text, CURLU_DEFAULT_PORT) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_PATH, &path.text, 0) == CURLUE_OK;
  if (ok) curl_url_get(parsed, CURLUPART_QUERY, &query.text, 0);
  curl_url_cleanup(parsed);
  if (!ok) {
    why = "not a usable URL";
  } else {
    std::string name = host.text;
    if (name.size() > 2 && name.front() == '[') name = name.substr(1, name.size() - 2);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(name.c_str(), port.text, &hints, &found);
    if (rc != 0 || found == nullptr) {
      why = std::string("could not resolve host '") + host.text + "': " + gai_strerror(rc);
    } else {
      for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        PlainTarget::Address address;
        std::memcpy(&address.storage, a->ai_addr, a->ai_addrlen);
        address.size = a->ai_addrlen;
        target->addresses.push_back(address);
      }
      freeaddrinfo(found);
      target->host = host.text;
      if (std::string_view(port.text) != "80") target->host += std::string(":") + port.text;
      target->path = path.text;
      if (query.text != nullptr) target->path += std::string("?") + query.text;
    }
  }
  if (!why.empty()) {
    plain_target_errors_.emplace(key, why);
    return nullptr;
  }
  return plain_targets_.emplace(key, std::move(target)).first->second.get();
}

void HttpClient::start_plain(const TransferSpec& spec) {
  PlainTransfer* t = nullptr;
  if (plain_free_.empty()) {
    plain_all_.push_back(
        std::make_unique<PlainTransfer>(*this, loop_, options_, plain_read_buffer_));
    t = plain_all_.back().get();
  } else {
    t = plain_free_.back();
    plain_free_.pop_back();
  }
  ++in_flight_;
  ++plain_in_flight_;
  std::string why;
  if (PlainTarget* target = plain_target(spec.url, why)) {
    t->start(spec, *target);
  } else {
    t->start_failed(spec, why);
  }
  if (t->failed_to_start()) plain_due_now_ = true;
  if (plain_sweep_ns_ < 0) plain_sweep_ns_ = monotonic_ns() + kPlainSweepNs;
}

void HttpClient::sweep_plain(std::int64_t now) {
  plain_due_now_ = false;
  // By index: a completion may start requests that add transfers to the list.
  for (std::size_t i = 0; i < plain_all_.size(); ++i) {
    PlainTransfer& t = *plain_all_[i];
    if (t.in_flight()) t.run_pending(now);
  }
  plain_sweep_ns_ = plain_in_flight_ > 0 ? now + kPlainSweepNs : -1;
}

void HttpClient::plain_done(PlainTransfer* transfer, const TransferSpec& spec) {
  const std::uint64_t tag = spec.tag;
  RequestRecord* record = spec.record;
  plain_free_.push_back(transfer);
  --in_flight_;
  --plain_in_flight_;
  on_done_.on_complete(tag, *record);
  if (plain_in_flight_ > 0 && plain_sweep_ns_ < 0) plain_sweep_ns_ = monotonic_ns() + kPlainSweepNs;
}

void HttpClient::cancel_all() {
  for (std::size_t i = 0; i < plain_all_.size(); ++i) plain_all_[i]->cancel();
  for (const auto& owned : all_) {
    Transfer* t = owned.get();
    if (std::find(free_.begin(), free_.end(), t) != free_.end()) continue;  // idle handle
    curl_multi_remove_handle(multi_, t->easy());
    t->finish_cancelled();
    const std::uint64_t tag = t->spec().tag;
    RequestRecord* record = t->spec().record;
    free_.push_back(t);
    --in_flight_;
    on_done_.on_complete(tag, *record);
  }
}

void HttpClient::drain_completions() {
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode result = msg->data.result;
    Transfer* t = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    curl_multi_remove_handle(multi_, easy);
    if (t->wants_stale_retry(result)) {
      t->prepare_retry();
      if (curl_multi_add_handle(multi_, easy) == CURLM_OK) continue;
    }
    connections_opened_ += t->finish(result);
    const std::uint64_t tag = t->spec().tag;
    RequestRecord* record = t->spec().record;
    free_.push_back(t);
    --in_flight_;
    on_done_.on_complete(tag, *record);
  }
}

}  // namespace servemeter::http
