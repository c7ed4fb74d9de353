#include "load/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace servemeter::load {
namespace {

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[512];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

TEST(Progress, FormatShowsCountsRateErrorsAndEta) {
  ProgressSnapshot s;
  s.label = "conc=8";
  s.done = 50;
  s.total = 100;
  s.errors = 2;
  s.elapsed_s = 10.0;
  EXPECT_EQ(format_progress(s), "conc=8 50/100  5.0 req/s  2 errors  ETA 10 s");
  s.warmup = true;
  EXPECT_NE(format_progress(s).find("(warm-up)"), std::string::npos);
}

TEST(Progress, PlainSinkPrintsOnlyEveryInterval) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  auto sink = make_progress(f, /*is_tty=*/false, 5.0);
  ProgressSnapshot s;
  s.label = "cell";
  s.total = 10;
  s.elapsed_s = 0.1;
  sink->update(s);  // printed: first
  s.elapsed_s = 2.0;
  sink->update(s);  // suppressed
  s.elapsed_s = 5.2;
  sink->update(s);  // printed
  s.done = 10;
  sink->finish(s);
  const std::string out = read_all(f);
  std::fclose(f);
  int lines = 0;
  for (char c : out) lines += c == '\n';
  EXPECT_EQ(lines, 3) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_NE(out.find("10/10"), std::string::npos);
}

TEST(Progress, TtySinkRedrawsInPlace) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  auto sink = make_progress(f, /*is_tty=*/true);
  ProgressSnapshot s;
  s.label = "cell";
  s.total = 4;
  s.done = 1;
  s.elapsed_s = 0.3;
  sink->update(s);
  s.elapsed_s = 0.35;
  sink->update(s);  // within 250 ms: not redrawn
  s.done = 4;
  sink->finish(s);
  const std::string out = read_all(f);
  std::fclose(f);
  int redraws = 0;
  for (char c : out) redraws += c == '\r';
  EXPECT_EQ(redraws, 2) << out;
  EXPECT_EQ(out.back(), '\n');
  EXPECT_NE(out.find("[########################]"), std::string::npos) << out;
}

}  // namespace
}  // namespace servemeter::load
