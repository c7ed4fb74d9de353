#include "http/http_client.h"

#include <sys/epoll.h>

#include <mutex>
#include <stdexcept>

#include "core/clock.h"
#include "http/transfer.h"

namespace servemeter::http {
namespace {

// curl_slist wants mutable char*; these are never written.
char kContentTypeHeader[] = "Content-Type: application/json";
char kNoExpectHeader[] = "Expect:";  // no 100-continue round trip before large prompts

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
  for (auto& t : all_) curl_multi_remove_handle(multi_, t->easy());  // no-op for idle handles
  all_.clear();  // easy handles go before the multi handle
  curl_multi_cleanup(multi_);
  loop_.set_hook(nullptr);
}

Transfer* HttpClient::acquire() {
  if (free_.empty()) {
    all_.push_back(std::make_unique<Transfer>(*this, options_, &content_type_header_));
    return all_.back().get();
  }
  Transfer* t = free_.back();
  free_.pop_back();
  return t;
}

void HttpClient::start(const TransferSpec& spec) {
  Transfer* t = acquire();
  t->prepare(spec);
  ++in_flight_;
  const CURLMcode rc = curl_multi_add_handle(multi_, t->easy());
  if (rc != CURLM_OK) {
    --in_flight_;
    free_.push_back(t);
    throw std::runtime_error(std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
  }
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

void HttpClient::on_deadline() {
  curl_deadline_ns_ = -1;  // curl re-arms through on_timer_change if it still needs one
  int running = 0;
  curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  drain_completions();
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
