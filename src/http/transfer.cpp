#include "http/transfer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string_view>

#include "core/clock.h"
#include "http/tls_options.h"

namespace servemeter::http {
namespace {

bool is_connect_failure(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace

Transfer::Transfer(const ClientOptions& options, curl_slist* shared_headers)
    : options_(options), easy_(curl_easy_init()) {
  if (easy_ == nullptr) throw std::runtime_error("curl_easy_init failed (out of memory?)");
  answer_.configure(options);
  // Each handle keeps its own connection cache, so a transfer runs on the connection its handle
  // used last (a virtual user's keep-alive connection). With one cache for the whole multi
  // handle, curl 7.88 walks every cached connection to find a free one and again when a
  // transfer is removed: O(connections) per request. Idle connections also stay open through a
  // lull (the shared cache closed them beyond its limit, and the reconnect showed up as
  // open-loop send lag); there are never more than the transfers at the busiest moment.
  share_ = curl_share_init();
  if (share_ == nullptr) {
    curl_easy_cleanup(easy_);
    throw std::runtime_error("curl_share_init failed (out of memory?)");
  }
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_easy_setopt(easy_, CURLOPT_SHARE, share_);
  // Options that never change for this handle are set once here, not per request.
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  // No signal handlers, no alarm(); also no SIGPIPE guard around each call (two sigaction calls
  // per curl_multi_socket_action): curl 7.88 sends with MSG_NOSIGNAL, TLS included (its
  // OpenSSL BIO goes through the same send), and servemeter ignores SIGPIPE anyway.
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_TCP_NODELAY, 1L);
  // Servers under test speak HTTP/1.1 streams; h2 over ALPN would change connection behaviour.
  curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(easy_, CURLOPT_POST, 1L);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::on_write);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_PREREQFUNCTION, &Transfer::on_prereq);
  curl_easy_setopt(easy_, CURLOPT_PREREQDATA, this);
  // Our own socket open/close (once per connection): the reuse check needs the connection.
  curl_easy_setopt(easy_, CURLOPT_OPENSOCKETFUNCTION, &Transfer::on_open_socket);
  curl_easy_setopt(easy_, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(easy_, CURLOPT_CLOSESOCKETFUNCTION, &Transfer::on_close_socket);
  curl_easy_setopt(easy_, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
  if (options.stall_timeout.count() > 0) {
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(options.stall_timeout.count()));
  }
  if (!options.api_key.empty()) {
    curl_easy_setopt(easy_, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(easy_, CURLOPT_XOAUTH2_BEARER, options.api_key.c_str());
  }
  apply_tls_options(easy_, options.tls);
  // Our own node (fixed buffer, rewritten per request) in front of the shared headers: sending
  // X-Request-Id costs no allocation. curl only reads the list.
  id_header_.data = id_header_text_;
  id_header_.next = shared_headers;
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, &id_header_);
}

Transfer::~Transfer() {
  curl_easy_cleanup(easy_);
  curl_share_cleanup(share_);  // closes the connection it kept
}

void Transfer::prepare(const TransferSpec& spec, KeepAliveHabit& habit) {
  spec_ = spec;
  explicit_retry_done_ = false;
  habit_ = &habit;
  kept_answers_ = socket_ != CURL_SOCKET_BAD ? answers_on_connection_ : 0;
  kept_answer_ns_ = last_answer_ns_;
  constexpr std::string_view kPrefix = "X-Request-Id: ";
  std::copy(kPrefix.begin(), kPrefix.end(), id_header_text_);
  char* end = id_header_text_ + sizeof id_header_text_ - 1;
  auto [ptr, ec] = std::to_chars(id_header_text_ + kPrefix.size(), end, spec.record->id);
  *ptr = '\0';
  curl_easy_setopt(easy_, CURLOPT_URL, spec_.url.data());
  curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, spec_.body.data());
  curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec_.body.size()));
  // A server that closes after every answer: a fresh connection for each request, closed by us
  // after the answer, so that no request races the server's close.
  const bool closes = habit == KeepAliveHabit::closes_after_each_answer;
  curl_easy_setopt(easy_, CURLOPT_FORBID_REUSE, closes ? 1L : 0L);
  // curl checks a kept connection before reuse too, but takes a TLS close_notify waiting in it
  // for a live connection; its FIN or RST behind it says otherwise. One poll() per reuse.
  bool fresh = closes;
  if (!fresh && socket_ != CURL_SOCKET_BAD && peek_idle(socket_) == IdlePeek::closed) {
    learn_from_close(habit, answers_on_connection_, last_answer_ns_, monotonic_ns());
    fresh = true;  // not a retry: nothing was sent
  }
  curl_easy_setopt(easy_, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
  reset_attempt();
}

bool Transfer::must_settle() const {
  return *habit_ == KeepAliveHabit::unknown && socket_ != CURL_SOCKET_BAD &&
         answers_on_connection_ == 1 && monotonic_ns() < settle_until_ns();
}

void Transfer::settled() {
  // TLS may leave records on an idle connection, so only a FIN or RST counts as closed; curl's
  // own check before reuse handles the rest.
  if (peek_idle(socket_) == IdlePeek::closed) {
    learn_from_close(*habit_, answers_on_connection_, last_answer_ns_, monotonic_ns());
    curl_easy_setopt(easy_, CURLOPT_FRESH_CONNECT, 1L);  // not a retry: nothing was sent
  } else if (*habit_ == KeepAliveHabit::unknown) {
    *habit_ = KeepAliveHabit::keeps;
  }
}

curl_socket_t Transfer::on_open_socket(void* self, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(self);
  const curl_socket_t fd =
      ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd != CURL_SOCKET_BAD && t->open_count_ < t->open_sockets_.size()) {
    t->open_sockets_[t->open_count_++] = fd;
  }
  return fd;
}

int Transfer::on_close_socket(void* self, curl_socket_t fd) {
  auto* t = static_cast<Transfer*>(self);
  for (std::size_t i = 0; i < t->open_count_; ++i) {
    if (t->open_sockets_[i] == fd) {
      t->open_sockets_[i] = t->open_sockets_[--t->open_count_];
      break;
    }
  }
  if (fd == t->socket_) t->socket_ = CURL_SOCKET_BAD;
  return ::close(fd);
}

void Transfer::note_connection(int local_port) {
  curl_socket_t found = CURL_SOCKET_BAD;
  if (open_count_ == 1) {
    found = open_sockets_[0];
  } else {
    for (std::size_t i = 0; i < open_count_ && found == CURL_SOCKET_BAD; ++i) {
      sockaddr_storage address{};
      socklen_t size = sizeof address;
      if (::getsockname(open_sockets_[i], reinterpret_cast<sockaddr*>(&address), &size) != 0)
        continue;
      const in_port_t port = address.ss_family == AF_INET6
                                 ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                                 : reinterpret_cast<sockaddr_in*>(&address)->sin_port;
      if (ntohs(port) == local_port) found = open_sockets_[i];
    }
  }
  if (found != socket_) {
    socket_ = found;
    answers_on_connection_ = 0;  // a new connection
  }
}

void Transfer::learn_from_dead_connection() {
  learn_from_close(*habit_, kept_answers_, kept_answer_ns_, monotonic_ns());
}

void Transfer::reset_attempt() {
  attempts_ = 0;
  abandoned_ = false;
  error_buffer_[0] = '\0';
  answer_.reset(spec_.url, spec_.parser, spec_.adapter, spec_.record);
}

int Transfer::on_prereq(void* self, char*, char*, int, int local_port) {
  // Runs in curl's DO state on a connected (or reused) socket, right before the request is
  // written: this is DESIGN.md's t0. It runs again if curl silently retries on a new
  // connection, which is how such retries become visible.
  auto* t = static_cast<Transfer*>(self);
  t->spec_.record->send_ns = monotonic_ns();
  ++t->attempts_;
  t->note_connection(local_port);
  return CURL_PREREQFUNC_OK;
}

std::string_view Transfer::header(const char* name) const {
  curl_header* found = nullptr;
  if (curl_easy_header(easy_, name, 0, CURLH_HEADER, -1, &found) != CURLHE_OK) return {};
  return found->value;
}

void Transfer::note_head() {
  // Once per request: two getinfo calls and one header lookup by name.
  long code = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
  char* type = nullptr;
  curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &type);
  const bool success = code >= 200 && code < 300;
  // We send no Accept-Encoding, so curl leaves any encoding alone: the answer must refuse it.
  const std::string_view encoding = success ? header("Content-Encoding") : std::string_view{};
  answer_.on_head(static_cast<int>(code), type != nullptr ? type : "", encoding);
  if (!success) {
    const std::string_view retry_after = header("Retry-After");
    if (!retry_after.empty()) answer_.on_retry_after(retry_after);
  }
}

std::size_t Transfer::on_write(char* data, std::size_t size, std::size_t count, void* self) {
  const std::int64_t arrival = monotonic_ns();  // first thing: bytes arrived, before parsing
  auto* t = static_cast<Transfer*>(self);
  const std::size_t n = size * count;
  if (!t->answer_.head_seen()) t->note_head();
  if (t->answer_.on_body(std::string_view(data, n), arrival)) [[likely]]
    return n;
  t->abandoned_ = true;
  return 0;  // curl stops the transfer (CURLE_WRITE_ERROR)
}

bool Transfer::wants_stale_retry(CURLcode result) const {
  if (!options_.retry_stale_connection || explicit_retry_done_ || attempts_ > 1) return false;
  if (result != CURLE_GOT_NOTHING && result != CURLE_SEND_ERROR && result != CURLE_RECV_ERROR)
    return false;
  long header_bytes = 0;
  long new_connections = 0;
  curl_easy_getinfo(easy_, CURLINFO_HEADER_SIZE, &header_bytes);
  curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &new_connections);
  // Only a reused connection that yielded nothing: the server closed it as we reused it.
  return new_connections == 0 && header_bytes == 0 && spec_.record->bytes_received == 0;
}

void Transfer::prepare_retry() {
  learn_from_dead_connection();
  explicit_retry_done_ = true;
  ++spec_.record->retries;
  curl_easy_setopt(easy_, CURLOPT_FRESH_CONNECT, 1L);
  reset_attempt();
}

void Transfer::finish_cancelled() {
  answer_.finish(Ending::cancelled, "cancelled", monotonic_ns());
}

long Transfer::finish(CURLcode result) {
  RequestRecord& record = *spec_.record;
  const std::int64_t end_ns = monotonic_ns();
  if (attempts_ > 1) {
    record.retries += attempts_ - 1;  // curl's own invisible retries
    learn_from_dead_connection();
  }
  long new_connections = 0;
  curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &new_connections);
  if (!answer_.head_seen()) {
    long code = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
    if (code != 0) note_head();  // a head without a body
  }
  const std::string detail = error_buffer_[0] != '\0' ? std::string(error_buffer_)
                                                      : std::string(curl_easy_strerror(result));
  answer_.finish(ending(result, detail), detail, end_ns);
  if (result == CURLE_OK && socket_ != CURL_SOCKET_BAD) {  // still open: curl keeps it
    ++answers_on_connection_;
    last_answer_ns_ = end_ns;
    if (answers_on_connection_ > 1 && *habit_ == KeepAliveHabit::unknown) {
      *habit_ = KeepAliveHabit::keeps;
    }
  }
  return new_connections;
}

Ending Transfer::ending(CURLcode result, std::string_view detail) const {
  if (result == CURLE_OK) return Ending::complete;
  if (abandoned_ && result == CURLE_WRITE_ERROR) return Ending::abandoned;
  // curl's own header bounds (100 KiB a line, 300 KiB in all) are below kMaxHeaderBytes.
  if (detail.find("oo large") != std::string_view::npos &&
      detail.find("eader") != std::string_view::npos)
    return Ending::oversized_head;
  // After the request went out (the pre-request callback ran), it was not the connect that
  // failed: e.g. curl calls an answer that is not HTTP "unsupported protocol".
  if (is_connect_failure(result) && attempts_ == 0) return Ending::connect_failed;
  if (result == CURLE_OPERATION_TIMEDOUT) {
    if (detail.starts_with("Operation too slow")) return Ending::stalled;
    // Out of time before the request was ever sent: the connect did not finish.
    return attempts_ == 0 ? Ending::connect_failed : Ending::timed_out;
  }
  return Ending::transport_error;
}

}  // namespace servemeter::http
