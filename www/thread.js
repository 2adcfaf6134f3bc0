// One thread of the map worker's pool, in its threaded build (see
// src/web/threads.rs): the same wasm module on the same shared memory. The
// worker sends [wasm-bindgen script, module, memory, job address].
self.crystalAtlasThread = true;
self.onmessage = (event) => {
  const [glue, module, memory, job] = event.data;
  importScripts(glue);
  wasm_bindgen.initSync({ module, memory });
  wasm_bindgen.crystal_atlas_thread(job);
};
