#[cfg(target_arch = "wasm32")]
fn main() {
    web_sys::console::log_1(&"app".into());
}
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!("hint");
}
