#pragma once
// Where finished requests go, one by one as they finish: the raw log on disk in a real run, a
// vector in tests. The record is the load generator's and is reused after the call returns.
#include "core/request_record.h"

namespace servemeter::load {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void on_record(const RequestRecord& record) = 0;
};

}  // namespace servemeter::load
