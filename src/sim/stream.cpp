// The streamed half of Connection: turning generated tokens into events, batching them into
// chunks (--events-per-write), stamping the truth log, fault effects (stall, disconnect,
// malformed event) and fixed-timing mode.
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <chrono>
#include <span>

#include "core/clock.h"
#include "sim/connection.h"
#include "sim/nonstream.h"
#include "sim/stream_state.h"

namespace servemeter::sim {
namespace {

std::chrono::steady_clock::time_point at_ns(std::int64_t ns) {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace

void Connection::start_stream(StreamSetup setup) {
  stream_ = std::make_unique<Stream>(state_.ioc, std::move(setup));
  Stream& s = *stream_;
  s.id = truth_.id;
  s.emitter = make_emitter(s.setup.info);
  truth_.input_tokens = static_cast<int>(s.setup.request.prompt.size());
  truth_.status = 200;
  if (s.setup.request.stream) {
    raw_head_ = head(200, s.emitter->content_type(), 0, true, !keep_alive_);
    if (!s.setup.error_in_stream.empty()) {
      s.emitter->error(pending_, s.setup.error_in_stream);
      s.done = true;
      truth_.fault = "error_event";
    }
    flush();  // headers go out now, as uvicorn/Go/httplib send them before the first token
    if (s.done) return;
  }
  if (state_.fixed_timing) {
    ++state_.active_streams;
    schedule_fixed_timer();
  } else {
    state_.engine->submit(SeqSpec{s.id, s.setup.request.prompt, s.plan.total()},
                          std::static_pointer_cast<TokenSink>(shared_from_this()));
  }
}

void Connection::on_engine_token(const TokenEmit& emit) {
  if (!stream_ || stream_->id != emit.id) return;
  add_tokens(emit.generated, emit.cached_tokens);
}

void Connection::schedule_fixed_timer() {
  Stream& s = *stream_;
  const int total = s.plan.total();
  // Token i is due at arrival + ttft + i * itl. The first token is written alone (so TTFT is
  // exact); after it, one wake-up per events_per_write tokens.
  const int epw = std::max(1, state_.options.events_per_write);
  int next = s.generated == 0 ? 0 : std::min(total - 1, s.generated - 1 + epw);
  if (s.generated > 0 && next < s.generated) next = s.generated;
  const double scale = state_.scale();
  const auto due = truth_.arrival_ns + s.shift_ns +
                   static_cast<std::int64_t>(
                       (*state_.options.ttft_ms + *state_.options.itl_ms * next) * 1e6 / scale);
  const std::uint64_t id = s.id;
  auto on_due = [self = shared_from_this(), id, next](const boost::system::error_code& ec) {
    if (ec || !self->stream_ || self->stream_->id != id) return;
    self->add_tokens(next + 1, 0);
    if (self->stream_ && self->stream_->id == id &&
        self->stream_->generated < self->stream_->plan.total() && !self->stream_->disconnect) {
      self->schedule_fixed_timer();
    }
  };
  if (due <= monotonic_ns()) {
    // Already due (--itl-ms 0, or running late): a timer would cost a timerfd_settime syscall
    // per write for nothing, which at full speed was a sixth of the simulator's time.
    boost::asio::post(s.tick.get_executor(),
                      [on_due = std::move(on_due)] { on_due(boost::system::error_code{}); });
    return;
  }
  s.tick.expires_at(at_ns(due));
  s.tick.async_wait(std::move(on_due));
}

void Connection::add_tokens(int generated_total, int cached_tokens) {
  Stream& s = *stream_;
  const std::int64_t now = monotonic_ns();
  const double scale = state_.scale();
  const SimOptions& o = state_.options;
  s.cached = cached_tokens;
  const int total = s.plan.total();
  generated_total = std::min(generated_total, total);
  for (int i = s.generated; i < generated_total && !s.disconnect; ++i) {
    TokenEvent ev;
    ev.kind = s.plan.kind(i);
    ev.text = token_text(s.setup.seed, i);
    ev.id = token_id(s.setup.seed, i);
    ev.generated = i + 1;
    ev.last = i + 1 == total;
    ev.reason = s.plan.finish();
    ev.cached_tokens = s.cached;
    if (i == 0) {
      s.first_produced_ns = now;
      truth_.cached_tokens = s.cached;
      state_.counters.prompt_tokens += static_cast<std::uint64_t>(truth_.input_tokens);
      state_.counters.cached_tokens += static_cast<std::uint64_t>(s.cached);
      state_.record_ttft(static_cast<double>(now - truth_.arrival_ns) * scale / 1e9);
    }
    if (s.setup.request.api == Api::ollama_generate) s.context.push_back(ev.id);
    if (ev.last) {
      FinishInfo& f = s.finish;
      f.reason = s.plan.finish();
      f.prompt_tokens = truth_.input_tokens;
      f.completion_tokens = total;
      f.cached_tokens = s.cached;
      f.reasoning_tokens = s.plan.reasoning_tokens();
      f.total_ns = static_cast<std::int64_t>(static_cast<double>(now - truth_.arrival_ns) * scale);
      f.prompt_eval_ns = static_cast<std::int64_t>(
          static_cast<double>(s.first_produced_ns - truth_.arrival_ns) * scale);
      f.eval_ns = static_cast<std::int64_t>(static_cast<double>(now - s.first_produced_ns) * scale);
      f.load_ns = static_cast<std::int64_t>(state_.profile.load_duration_ns);
      if (s.setup.request.api == Api::ollama_generate) {
        s.context.insert(s.context.begin(), s.setup.request.prompt.begin(),
                         s.setup.request.prompt.end());
        f.context = &s.context;
      }
      ev.finish = &f;
    }
    ++state_.counters.generation_tokens;
    s.generated = i + 1;
    if (!s.setup.request.stream) {
      if (ev.kind == TokenKind::content) s.content += ev.text;
      if (ev.kind == TokenKind::reasoning) s.reasoning += ev.text;
      continue;
    }
    int n = 0;
    if (i == s.setup.malformed_at) {
      s.emitter->malformed(pending_);
      n = 1;
    } else {
      n = s.emitter->token(pending_, ev);
    }
    if (n > 0) {
      s.events_pending += n;
      s.token_pending = true;
      if (!s.seen_token) s.first_pending = s.seen_token = true;
    }
    if (o.disconnect_after >= 0 && s.generated >= o.disconnect_after && !ev.last) {
      s.disconnect = true;
    }
    if (o.stall_ms > 0 && !s.stalled && s.generated >= o.stall_after && !ev.last) {
      s.stalled = true;
      flush();  // what came before the stall goes out now
      s.hold_until_ns = now + static_cast<std::int64_t>(o.stall_ms * 1e6);
      s.shift_ns += static_cast<std::int64_t>(o.stall_ms * 1e6);
      if (truth_.fault.empty()) truth_.fault = "stall";
    }
  }
  if (s.generated == total && !s.done) {
    s.done = true;
    if (s.finish.reason == FinishReason::stop) {
      ++state_.counters.finished_stop;
    } else {
      ++state_.counters.finished_length;
    }
    if (!s.setup.request.stream) {
      collect_nonstream(total);
      return;
    }
    s.emitter->finish(pending_, s.finish);
  }
  if (s.first_pending || s.done || s.disconnect ||
      s.events_pending >= std::max(1, o.events_per_write)) {
    flush();
  }
}

void Connection::collect_nonstream(int) {
  Stream& s = *stream_;
  Reply r;
  r.content_type = nonstream_content_type(s.setup.info);
  r.body = nonstream_body(s.setup.info, s.finish, s.content, s.reasoning);
  truth_.output_tokens = s.finish.completion_tokens;
  truth_.first_token_ns = truth_.last_token_ns = monotonic_ns();
  if (state_.fixed_timing) --state_.active_streams;
  stream_.reset();
  reply(std::move(r));  // after_response logs nothing more; the truth record is appended here
  truth_.end_ns = monotonic_ns();
  state_.truth.append(truth_);
}

void Connection::flush() {
  if (writing_ || !stream_) return;
  Stream& s = *stream_;
  if (pending_.empty() && raw_head_.empty() && !s.done) return;
  const std::int64_t now = monotonic_ns();
  if (now < s.hold_until_ns) {  // stalled: release at hold_until_ns
    if (!s.hold_armed) {
      s.hold_armed = true;
      s.hold.expires_at(at_ns(s.hold_until_ns));
      const std::uint64_t id = s.id;
      s.hold.async_wait([self = shared_from_this(), id](const boost::system::error_code& ec) {
        if (ec || !self->stream_ || self->stream_->id != id) return;
        self->stream_->hold_armed = false;
        self->flush();
      });
    }
    return;
  }
  if (s.first_pending) truth_.first_token_ns = now;
  if (s.token_pending) truth_.last_token_ns = now;
  s.first_pending = s.token_pending = false;
  s.events_pending = 0;
  inflight_.swap(pending_);
  pending_.clear();
  auto& bufs = bufs_;
  std::size_t n = 0;
  if (!raw_head_.empty()) bufs[n++] = boost::asio::buffer(raw_head_);
  if (!inflight_.empty()) {
    char* end = std::to_chars(chunk_line_, chunk_line_ + 16, inflight_.size(), 16).ptr;
    *end++ = '\r';
    *end++ = '\n';
    bufs[n++] = boost::asio::buffer(chunk_line_, static_cast<std::size_t>(end - chunk_line_));
    bufs[n++] = boost::asio::buffer(inflight_);
    bufs[n++] = boost::asio::buffer(kCrlf.data(), kCrlf.size());
  }
  final_in_flight_ = s.done && !s.disconnect;
  if (final_in_flight_) bufs[n++] = boost::asio::buffer(kLastChunk.data(), kLastChunk.size());
  writing_ = true;
  boost::asio::async_write(socket_, std::span(bufs.data(), n),
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t) { self->on_written(ec); });
}

void Connection::on_written(const boost::system::error_code& ec) {
  writing_ = false;
  raw_head_.clear();
  if (!stream_) return;
  if (ec) {
    abort_stream("client_closed");
    return;
  }
  if (final_in_flight_) {
    end_stream();
    return;
  }
  Stream& s = *stream_;
  if (s.disconnect && pending_.empty()) {
    truth_.fault = "disconnect";
    abort_stream("disconnect");
    return;
  }
  if (!pending_.empty() && (s.first_pending || s.done || s.disconnect ||
                            s.events_pending >= std::max(1, state_.options.events_per_write))) {
    flush();
  }
}

void Connection::end_stream() {
  Stream& s = *stream_;
  truth_.end_ns = monotonic_ns();
  truth_.output_tokens = s.generated;
  truth_.cached_tokens = s.cached;
  state_.truth.append(truth_);
  if (state_.fixed_timing) --state_.active_streams;
  stream_.reset();
  after_response();
}

void Connection::abort_stream(const char* fault) {
  Stream& s = *stream_;
  truth_.end_ns = monotonic_ns();
  truth_.output_tokens = s.generated;
  if (truth_.fault.empty() || truth_.fault == "stall") truth_.fault = fault;
  state_.truth.append(truth_);
  ++state_.counters.aborted;
  if (state_.fixed_timing) {
    --state_.active_streams;
  } else if (!s.done) {
    state_.engine->cancel(s.id);
  }
  stream_.reset();
  close_now();
}

}  // namespace servemeter::sim
