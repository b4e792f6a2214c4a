// Node-API binding of the leakbench workload. It only converts arguments and results; the logic is the
// plain C in workload/. JS fixtures are kept alive by strong napi_refs that are never deleted (until a test
// asks for releaseRetained).
#include <napi.h>

#include <map>
#include <string>
#include <vector>

#include "lb_frame_text.h"
#include "leakbench_workload.h"
#include "module_heap.h"

namespace {

// Strong references held by the object/list fixtures. Capacity is reserved once at load so that
// keeping a reference does not itself grow the C++ heap per iteration (up to 65536 refs, then doubling).
struct Retained {
  std::vector<napi_ref> refs;
  Retained() { refs.reserve(1 << 16); }
};

Retained &retained() {
  static Retained r;
  return r;
}

// The JS host of the other JS fixtures (@leakbench/workload's createJsHost().retain), set once by the loader.
napi_ref js_host = nullptr;

struct HostCtx {
  napi_env env;
};

void FreeBlock(napi_env, void *block, void *) { lb_fixture_free(block); }

int RetainJs(void *ctx, int kind, size_t bytes, void *block) {
  napi_env env = static_cast<HostCtx *>(ctx)->env;
  napi_value value;
  if (kind == LB_FIXTURE_OBJECT || kind == LB_FIXTURE_LIST) {
    // The study's shape: a strong napi_ref that is never deleted.
    napi_status st = kind == LB_FIXTURE_LIST ? napi_create_array(env, &value) : napi_create_object(env, &value);
    if (st != napi_ok) return 1;
    napi_ref ref;
    if (napi_create_reference(env, value, 1, &ref) != napi_ok) return 1;
    retained().refs.push_back(ref);
    return 0;
  }
  if (kind == LB_FIXTURE_DEFERRED) {
    // A C block owned by a JS object nobody references: its finalizer frees it once the GC has collected it.
    return napi_create_external(env, block, FreeBlock, nullptr, &value) == napi_ok ? 0 : 1;
  }
  napi_value fn, args[2], result;
  if (!js_host || napi_get_reference_value(env, js_host, &fn) != napi_ok) return 1;
  napi_create_int32(env, kind, &args[0]);
  napi_create_double(env, static_cast<double>(bytes), &args[1]);
  if (napi_call_function(env, fn, fn, 2, args, &result) != napi_ok) return 1;
  int32_t rc = 1;
  napi_get_value_int32(env, result, &rc);
  return rc;
}

// The WorkloadBinding ABI of @leakbench/workload: simulate(modelIndex, durationMs, logIntervalMs, fixtureKind,
// fixtureBytes, fixturePeriod, maxSteps) -> RawSimulation, every field present (trace null on error); describe() -> { build, models }.
Napi::Value Simulate(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 7) {
    Napi::TypeError::New(env, "simulate(model, duration, logInterval, fixtureKind, fixtureBytes, fixturePeriod, maxSteps)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  lb_options opts{};
  opts.model = info[0].As<Napi::Number>().Int32Value();
  opts.duration = info[1].As<Napi::Number>().DoubleValue();
  opts.log_interval = info[2].As<Napi::Number>().DoubleValue();
  opts.fixture_kind = info[3].As<Napi::Number>().Int32Value();
  opts.fixture_bytes = static_cast<size_t>(info[4].As<Napi::Number>().DoubleValue());
  opts.fixture_period = static_cast<long>(info[5].As<Napi::Number>().DoubleValue());
  opts.max_steps = static_cast<long>(info[6].As<Napi::Number>().DoubleValue());

  HostCtx ctx{env};
  lb_host host{&ctx, RetainJs};
  lb_result res;
  int rc = lb_simulate(&opts, &host, &res);

  Napi::Object out = Napi::Object::New(env);
  out.Set("rc", rc);
  out.Set("message", res.message);
  out.Set("flag", res.flag);
  out.Set("flagName", res.flag_name);
  out.Set("tReached", res.t_reached);
  if (rc == LB_OK) {
    size_t n = static_cast<size_t>(res.rows) * static_cast<size_t>(res.cols);
    Napi::Float64Array trace = Napi::Float64Array::New(env, n);
    std::copy(res.trace, res.trace + n, trace.Data());
    out.Set("trace", trace);
  } else {
    out.Set("trace", env.Null());
  }
  out.Set("rows", res.rows);
  out.Set("cols", res.cols);
  out.Set("steps", static_cast<double>(res.steps));
  out.Set("rhsEvals", static_cast<double>(res.rhs_evals));
  out.Set("jacEvals", static_cast<double>(res.jac_evals));
  out.Set("finalTime", res.final_t);
  lb_result_free(&res);
  return out;
}

Napi::Value Describe(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Object build = Napi::Object::New(env);
  build.Set("compiler", lb_compiler());
  build.Set("compilerVersion", lb_compiler_version());
  build.Set("emccVersion", lb_emscripten_version());
  build.Set("sundialsVersion", lb_sundials_version());
  build.Set("optFlags", lb_opt_flags());
  build.Set("allocator", lbn_allocator_name());
  Napi::Array models = Napi::Array::New(env);
  for (int i = 0; i < lb_model_count(); i++) {
    const lb_model_info *m = lb_model_at(i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", m->id);
    o.Set("title", m->title);
    Napi::Array names = Napi::Array::New(env);
    for (int s = 0; s < m->n_states; s++) names.Set(s, m->state_names[s]);
    o.Set("stateNames", names);
    o.Set("stimStart", m->stim_start);
    o.Set("stimDuration", m->stim_duration);
    o.Set("stimPeriod", m->stim_period);
    o.Set("stimAmplitude", m->stim_amplitude);
    o.Set("defaultDuration", m->default_duration);
    o.Set("defaultLogInterval", m->default_log_interval);
    models.Set(i, o);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("build", build);
  out.Set("models", models);
  return out;
}

Napi::Value AllocatorBytes(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), lbn_allocator_bytes()); }

Napi::Value ModuleHeapBytes(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), lbn_module_heap_bytes()); }

Napi::Value FixtureGrowth(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), lb_fixture_growth(info[0].As<Napi::Number>().Int32Value(),
                                                         static_cast<size_t>(info[1].As<Napi::Number>().DoubleValue()),
                                                         static_cast<long>(info[2].As<Napi::Number>().DoubleValue())));
}

Napi::Value FixtureSupported(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), lb_fixture_supported(info[0].As<Napi::Number>().Int32Value()) != 0);
}

Napi::Value SetJsHost(const Napi::CallbackInfo &info) {
  if (js_host) napi_delete_reference(info.Env(), js_host);
  napi_create_reference(info.Env(), info[0], 1, &js_host);
  return info.Env().Undefined();
}

Napi::Value RetainedCount(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), static_cast<double>(retained().refs.size()));
}

Napi::Value ReleaseRetained(const Napi::CallbackInfo &info) {
  auto &refs = retained().refs;
  size_t n = refs.size();
  for (napi_ref ref : refs) napi_delete_reference(info.Env(), ref);
  refs.clear();
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// Site tracking for attribution passes (module_heap.c): on from now, for blocks allocated from now.
Napi::Value TrackAllocationSites(const Napi::CallbackInfo &info) {
  lbn_track_sites(1);
  return Napi::Boolean::New(info.Env(), true);
}

// A return address as text a symboliser reads (lb_frame_text.h).
std::string FrameText(void *pc) {
  char buf[4200];
  lb_frame_text(pc, buf, sizeof buf);
  return buf;
}

// The Backend's allocationSites(): { stacks: string[][], sites: {stack, epoch, blocks, bytes}[] }; starts a new epoch.
Napi::Value AllocationSites(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  lb_site_count *rows = nullptr;
  long n = lbn_site_counts(&rows);
  if (n < 0) {
    Napi::Error::New(env, "out of memory while counting allocation sites").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array stacks = Napi::Array::New(env);
  Napi::Array sites = Napi::Array::New(env);
  std::map<uint32_t, uint32_t> position;  // stack index in C -> index in `stacks`
  for (long k = 0; k < n; k++) {
    auto it = position.find(rows[k].stack);
    if (it == position.end()) {
      void *pcs[32];
      int depth = lbn_site_stack(rows[k].stack, pcs, 32);
      Napi::Array frames = Napi::Array::New(env, depth);
      for (int f = 0; f < depth; f++) frames.Set(f, FrameText(pcs[f]));
      it = position.emplace(rows[k].stack, stacks.Length()).first;
      stacks.Set(stacks.Length(), frames);
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("stack", it->second);
    o.Set("epoch", rows[k].epoch);
    o.Set("blocks", rows[k].blocks);
    o.Set("bytes", rows[k].bytes);
    sites.Set(static_cast<uint32_t>(k), o);
  }
  lbn_free_site_counts(rows);
  Napi::Object out = Napi::Object::New(env);
  out.Set("stacks", stacks);
  out.Set("sites", sites);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  retained();
  exports.Set("simulate", Napi::Function::New(env, Simulate));
  exports.Set("describe", Napi::Function::New(env, Describe));
  exports.Set("allocatorBytes", Napi::Function::New(env, AllocatorBytes));
  exports.Set("moduleHeapBytes", Napi::Function::New(env, ModuleHeapBytes));
  exports.Set("fixtureSupported", Napi::Function::New(env, FixtureSupported));
  exports.Set("fixtureGrowth", Napi::Function::New(env, FixtureGrowth));
  exports.Set("setJsHost", Napi::Function::New(env, SetJsHost));
  exports.Set("retainedCount", Napi::Function::New(env, RetainedCount));
  exports.Set("releaseRetained", Napi::Function::New(env, ReleaseRetained));
  exports.Set("trackAllocationSites", Napi::Function::New(env, TrackAllocationSites));
  exports.Set("allocationSites", Napi::Function::New(env, AllocationSites));
  return exports;
}

}  // namespace

NODE_API_MODULE(leakbench_native_cvode, Init)
