//! The map's points drawn by WebGL2, for maps too big to rasterise on the
//! CPU every frame (the whole binary space is 225,879 points).
//!
//! The coordinates (f32 x, y in map units) are uploaded once per layout, the
//! colours (RGBA bytes) and the drawing order (an index buffer: the map
//! model's `order`, so hidden points are absent and categories are layered
//! as on the CPU path) only when they change. Panning and zooming changes
//! the transform's uniforms alone: a frame is one `drawElements(POINTS)`.
//!
//! The vertex shader puts each point where [`Viewport::to_pixel`] does,
//! rounded to a pixel centre as `plot::draw_points` rounds it
//! ([`PointTransform::pixel_centre`] is the same arithmetic in Rust, tested
//! against the viewport); the fragment shader makes a round antialiased disc
//! of the CPU path's radius (`radius + 0.5` pixels to the edge, half covered
//! there). The GL viewport reaches a disc's width beyond the canvas on every
//! side, so points whose centre is just off screen still show their edge, as
//! on the CPU path.
//!
//! Any failure (no WebGL2, a shader that does not compile, a context lost)
//! makes [`GlPoints::new`] return an error or [`GlPoints::draw`] return
//! `false`; the caller then draws on the CPU. So does a software WebGL
//! (SwiftShader, llvmpipe: [`is_software`]) unless asked for: it draws points
//! one primitive at a time on the CPU, several times slower than the CPU
//! path's raster (headless Chromium's SwiftShader: 7 frames per second for
//! 67,000 points where the raster makes 41).

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{
    HtmlCanvasElement, WebGl2RenderingContext as Gl, WebGlBuffer, WebGlContextAttributes,
    WebGlProgram, WebGlShader, WebGlUniformLocation, WebGlVertexArrayObject,
};

use crate::plot::Viewport;

/// The map-to-pixel transform as the vertex shader computes it, in f32.
///
/// The centre is split into a high and a low f32 so that zoomed far in
/// (2000 times the fitted view) the difference `x - centre` keeps the
/// precision of the f64 viewport.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointTransform {
    pub centre_hi: [f32; 2],
    pub centre_lo: [f32; 2],
    /// Pixels per map unit.
    pub scale: f32,
    /// The canvas in device pixels.
    pub size: [f32; 2],
    /// Pixels the GL viewport reaches beyond the canvas on each side.
    pub margin: f32,
}

impl PointTransform {
    pub fn new(vp: &Viewport, margin: f32) -> PointTransform {
        let split = |v: f64| {
            let hi = v as f32;
            (hi, (v - f64::from(hi)) as f32)
        };
        let (x_hi, x_lo) = split(vp.cx);
        let (y_hi, y_lo) = split(vp.cy);
        PointTransform {
            centre_hi: [x_hi, y_hi],
            centre_lo: [x_lo, y_lo],
            scale: vp.scale as f32,
            size: [vp.width as f32, vp.height as f32],
            margin,
        }
    }

    /// The centre of the pixel the shader puts map point (x, y) on, in
    /// canvas pixels: `Viewport::to_pixel` rounded, plus half a pixel. (The
    /// shader's arithmetic in Rust, for the tests.)
    #[cfg(test)]
    pub fn pixel_centre(&self, x: f32, y: f32) -> [f32; 2] {
        let dx = (x - self.centre_hi[0]) - self.centre_lo[0];
        let dy = (y - self.centre_hi[1]) - self.centre_lo[1];
        let px = 0.5 * self.size[0] + dx * self.scale;
        let py = 0.5 * self.size[1] - dy * self.scale;
        [(px + 0.5).floor() + 0.5, (py + 0.5).floor() + 0.5]
    }

    /// Clip-space position of map point (x, y) in the GL viewport, which
    /// spans the canvas plus `margin` on every side.
    #[cfg(test)]
    pub fn clip(&self, x: f32, y: f32) -> [f32; 2] {
        let [px, py] = self.pixel_centre(x, y);
        let (w, h) = (
            self.size[0] + 2.0 * self.margin,
            self.size[1] + 2.0 * self.margin,
        );
        [
            (px + self.margin) / w * 2.0 - 1.0,
            1.0 - (py + self.margin) / h * 2.0,
        ]
    }
}

/// Side of the square a point is drawn in, for a disc of `radius` pixels
/// (as `MapStyle::radius`): the CPU path fills pixel centres within
/// `radius + 0.5`; the antialiased edge reaches half a pixel further.
pub fn point_size(radius: u32) -> u32 {
    2 * radius + 3
}

/// The vertex shader: [`PointTransform::clip`], line for line.
const VERTEX: &str = r"#version 300 es
layout(location = 0) in vec2 a_xy;
layout(location = 1) in vec4 a_rgba;
uniform vec2 u_centre_hi;
uniform vec2 u_centre_lo;
uniform float u_scale;
uniform vec2 u_size;
uniform float u_margin;
uniform float u_point_size;
out vec4 v_rgba;
void main() {
  vec2 d = (a_xy - u_centre_hi) - u_centre_lo;
  vec2 px = vec2(0.5 * u_size.x + d.x * u_scale, 0.5 * u_size.y - d.y * u_scale);
  px = floor(px + 0.5) + 0.5;
  vec2 wh = u_size + 2.0 * u_margin;
  gl_Position = vec4((px.x + u_margin) / wh.x * 2.0 - 1.0, 1.0 - (px.y + u_margin) / wh.y * 2.0, 0.0, 1.0);
  gl_PointSize = u_point_size;
  v_rgba = a_rgba;
}
";

/// The fragment shader: a disc of radius `u_radius + 0.5`, its edge
/// antialiased over a pixel, premultiplied for `ONE, ONE_MINUS_SRC_ALPHA`.
const FRAGMENT: &str = r"#version 300 es
precision highp float;
in vec4 v_rgba;
uniform float u_point_size;
uniform float u_radius;
out vec4 colour;
void main() {
  float d = length(gl_PointCoord - 0.5) * u_point_size;
  float cover = clamp(u_radius + 0.5 - d, 0.0, 1.0);
  if (cover <= 0.0) {
    discard;
  }
  float a = v_rgba.a * cover;
  colour = vec4(v_rgba.rgb * a, a);
}
";

struct Uniforms {
    centre_hi: WebGlUniformLocation,
    centre_lo: WebGlUniformLocation,
    scale: WebGlUniformLocation,
    size: WebGlUniformLocation,
    margin: WebGlUniformLocation,
    point_size: WebGlUniformLocation,
    radius: WebGlUniformLocation,
}

/// What one frame draws.
pub struct GlFrame<'a> {
    /// Changes whenever `coords` does (a new layout).
    pub layout_serial: u64,
    pub coords: &'a [f32],
    pub colours: &'a [[u8; 4]],
    /// Points drawn, back to front.
    pub order: &'a [u32],
    pub viewport: &'a Viewport,
    /// Point radius in device pixels (`MapStyle::radius`).
    pub radius: u32,
}

/// What [`GlPoints::draw`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    Yes,
    /// Not a frame this layer can draw (points larger than the GL's largest,
    /// a model that does not fit the layout): the CPU draws this one.
    NotThisFrame,
    /// The context is lost or GL reported an error: drop this layer.
    Failed,
}

/// A WebGL2 context on its own canvas, with the points' buffers.
pub struct GlPoints {
    canvas: HtmlCanvasElement,
    gl: Gl,
    program: WebGlProgram,
    vao: WebGlVertexArrayObject,
    positions: WebGlBuffer,
    colours: WebGlBuffer,
    indices: WebGlBuffer,
    uniforms: Uniforms,
    max_point_size: f32,
    lost: Rc<Cell<bool>>,
    uploaded_serial: Option<u64>,
    uploaded_points: usize,
    uploaded_colours: Vec<[u8; 4]>,
    uploaded_order: Vec<u32>,
}

/// Why the GL layer is not used (for a console note).
pub type GlError = String;

impl GlPoints {
    /// A WebGL2 context on `canvas`, or why there is none (a software
    /// renderer counts as none unless `allow_software`). `on_lost` runs when
    /// the browser takes the context away (the next draw falls back).
    pub fn new(
        canvas: HtmlCanvasElement,
        allow_software: bool,
        on_lost: impl Fn() + 'static,
    ) -> Result<GlPoints, GlError> {
        let attributes = WebGlContextAttributes::new();
        attributes.set_alpha(false);
        attributes.set_antialias(false);
        attributes.set_depth(false);
        attributes.set_stencil(false);
        attributes.set_premultiplied_alpha(true);
        attributes.set_preserve_drawing_buffer(false);
        let gl: Gl = canvas
            .get_context_with_context_options("webgl2", &attributes)
            .map_err(|_| "getContext(webgl2) threw".to_string())?
            .ok_or("no WebGL2 context")?
            .dyn_into()
            .map_err(|_| "not a WebGL2 context".to_string())?;
        let name = renderer(&gl);
        if is_software(&name) && !allow_software {
            return Err(format!(
                "WebGL2 here is software rendering ({name}), slower than the CPU path"
            ));
        }
        let lost = Rc::new(Cell::new(false));
        {
            let lost = lost.clone();
            super::dom::on::<web_sys::Event>(&canvas, "webglcontextlost", move |_| {
                lost.set(true);
                on_lost();
            });
        }
        let program = link(&gl)?;
        let uniform = |name: &str| {
            gl.get_uniform_location(&program, name)
                .ok_or_else(|| format!("no uniform {name}"))
        };
        let uniforms = Uniforms {
            centre_hi: uniform("u_centre_hi")?,
            centre_lo: uniform("u_centre_lo")?,
            scale: uniform("u_scale")?,
            size: uniform("u_size")?,
            margin: uniform("u_margin")?,
            point_size: uniform("u_point_size")?,
            radius: uniform("u_radius")?,
        };
        let buffer = || gl.create_buffer().ok_or("no buffer");
        let (positions, colours, indices) = (buffer()?, buffer()?, buffer()?);
        let vao = gl.create_vertex_array().ok_or("no vertex array")?;
        gl.bind_vertex_array(Some(&vao));
        gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&positions));
        gl.enable_vertex_attrib_array(0);
        gl.vertex_attrib_pointer_with_i32(0, 2, Gl::FLOAT, false, 0, 0);
        gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&colours));
        gl.enable_vertex_attrib_array(1);
        gl.vertex_attrib_pointer_with_i32(1, 4, Gl::UNSIGNED_BYTE, true, 0, 0);
        gl.bind_buffer(Gl::ELEMENT_ARRAY_BUFFER, Some(&indices));
        gl.bind_vertex_array(None);
        let max_point_size = gl
            .get_parameter(Gl::ALIASED_POINT_SIZE_RANGE)
            .ok()
            .and_then(|r| r.dyn_into::<js_sys::Float32Array>().ok())
            .map_or(1.0, |r| r.get_index(1));
        match gl.get_error() {
            Gl::NO_ERROR => {}
            e => return Err(format!("GL error {e:#x} while setting up")),
        }
        Ok(GlPoints {
            canvas,
            gl,
            program,
            vao,
            positions,
            colours,
            indices,
            uniforms,
            max_point_size,
            lost,
            uploaded_serial: None,
            uploaded_points: 0,
            uploaded_colours: Vec::new(),
            uploaded_order: Vec::new(),
        })
    }

    /// Whether the context is gone (the caller drops this layer).
    pub fn lost(&self) -> bool {
        self.lost.get() || self.gl.is_context_lost()
    }

    pub fn canvas(&self) -> &HtmlCanvasElement {
        &self.canvas
    }

    /// Draws the frame on a white background, or says why not.
    pub fn draw(&mut self, frame: &GlFrame) -> Drawn {
        if self.lost() {
            return Drawn::Failed;
        }
        let size = point_size(frame.radius);
        if size as f32 > self.max_point_size {
            return Drawn::NotThisFrame;
        }
        let n = frame.coords.len() / 2;
        if frame.colours.len() < n || frame.order.iter().any(|&i| i as usize >= n) {
            return Drawn::NotThisFrame;
        }
        let vp = frame.viewport;
        let gl = &self.gl;
        if self.canvas.width() != vp.width || self.canvas.height() != vp.height {
            self.canvas.set_width(vp.width);
            self.canvas.set_height(vp.height);
        }
        gl.bind_vertex_array(Some(&self.vao));
        if self.uploaded_serial != Some(frame.layout_serial) || self.uploaded_points != n {
            gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&self.positions));
            let coords = js_sys::Float32Array::from(&frame.coords[..2 * n]);
            gl.buffer_data_with_array_buffer_view(Gl::ARRAY_BUFFER, &coords, Gl::STATIC_DRAW);
            self.uploaded_serial = Some(frame.layout_serial);
            self.uploaded_points = n;
            self.uploaded_colours.clear();
        }
        if self.uploaded_colours.as_slice() != &frame.colours[..n] {
            gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&self.colours));
            gl.buffer_data_with_u8_array(
                Gl::ARRAY_BUFFER,
                frame.colours[..n].as_flattened(),
                Gl::STATIC_DRAW,
            );
            self.uploaded_colours.clear();
            self.uploaded_colours.extend_from_slice(&frame.colours[..n]);
        }
        if self.uploaded_order.as_slice() != frame.order {
            // The element buffer binding belongs to the vertex array.
            gl.bind_buffer(Gl::ELEMENT_ARRAY_BUFFER, Some(&self.indices));
            let order = js_sys::Uint32Array::from(frame.order);
            gl.buffer_data_with_array_buffer_view(
                Gl::ELEMENT_ARRAY_BUFFER,
                &order,
                Gl::STATIC_DRAW,
            );
            self.uploaded_order.clear();
            self.uploaded_order.extend_from_slice(frame.order);
        }
        let margin = size as f32;
        let t = PointTransform::new(vp, margin);
        let m = margin as i32;
        let (w, h) = (vp.width as i32, vp.height as i32);
        gl.viewport(0, 0, w, h);
        gl.clear_color(1.0, 1.0, 1.0, 1.0);
        gl.clear(Gl::COLOR_BUFFER_BIT);
        gl.viewport(-m, -m, w + 2 * m, h + 2 * m);
        gl.use_program(Some(&self.program));
        let u = &self.uniforms;
        gl.uniform2f(Some(&u.centre_hi), t.centre_hi[0], t.centre_hi[1]);
        gl.uniform2f(Some(&u.centre_lo), t.centre_lo[0], t.centre_lo[1]);
        gl.uniform1f(Some(&u.scale), t.scale);
        gl.uniform2f(Some(&u.size), t.size[0], t.size[1]);
        gl.uniform1f(Some(&u.margin), t.margin);
        gl.uniform1f(Some(&u.point_size), size as f32);
        gl.uniform1f(Some(&u.radius), frame.radius as f32 + 0.5);
        gl.enable(Gl::BLEND);
        gl.blend_func(Gl::ONE, Gl::ONE_MINUS_SRC_ALPHA);
        gl.draw_elements_with_i32(Gl::POINTS, frame.order.len() as i32, Gl::UNSIGNED_INT, 0);
        gl.bind_vertex_array(None);
        if gl.get_error() == Gl::NO_ERROR && !self.lost() {
            Drawn::Yes
        } else {
            Drawn::Failed
        }
    }
}

/// The renderer's name, unmasked where the browser allows it.
fn renderer(gl: &Gl) -> String {
    /// `WEBGL_debug_renderer_info.UNMASKED_RENDERER_WEBGL`.
    const UNMASKED_RENDERER: u32 = 0x9246;
    let unmasked = gl
        .get_extension("WEBGL_debug_renderer_info")
        .ok()
        .flatten()
        .and_then(|_| gl.get_parameter(UNMASKED_RENDERER).ok())
        .and_then(|v| v.as_string());
    unmasked
        .or_else(|| gl.get_parameter(Gl::RENDERER).ok()?.as_string())
        .unwrap_or_default()
}

/// Whether a renderer's name is a software rasteriser's: Chromium's
/// SwiftShader, Mesa's llvmpipe and softpipe, Windows' Basic Render Driver.
pub fn is_software(renderer: &str) -> bool {
    let r = renderer.to_ascii_lowercase();
    [
        "swiftshader",
        "llvmpipe",
        "softpipe",
        "software",
        "basic render",
    ]
    .iter()
    .any(|s| r.contains(s))
}

fn compile(gl: &Gl, kind: u32, source: &str) -> Result<WebGlShader, GlError> {
    let shader = gl.create_shader(kind).ok_or("no shader")?;
    gl.shader_source(&shader, source);
    gl.compile_shader(&shader);
    if gl
        .get_shader_parameter(&shader, Gl::COMPILE_STATUS)
        .as_bool()
        .unwrap_or(false)
    {
        Ok(shader)
    } else {
        Err(format!(
            "shader: {}",
            gl.get_shader_info_log(&shader).unwrap_or_default()
        ))
    }
}

fn link(gl: &Gl) -> Result<WebGlProgram, GlError> {
    let vertex = compile(gl, Gl::VERTEX_SHADER, VERTEX)?;
    let fragment = compile(gl, Gl::FRAGMENT_SHADER, FRAGMENT)?;
    let program = gl.create_program().ok_or("no program")?;
    gl.attach_shader(&program, &vertex);
    gl.attach_shader(&program, &fragment);
    gl.link_program(&program);
    if gl
        .get_program_parameter(&program, Gl::LINK_STATUS)
        .as_bool()
        .unwrap_or(false)
    {
        Ok(program)
    } else {
        Err(format!(
            "program: {}",
            gl.get_program_info_log(&program).unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::Bounds;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// SplitMix64, for test inputs.
    fn next(state: &mut u64) -> f64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The shader's pixel is the CPU path's (`to_pixel`, rounded) for maps
    /// far from the origin, zoomed out and zoomed in to the limit.
    #[wasm_bindgen_test]
    fn the_gl_transform_puts_points_on_the_cpu_paths_pixels() {
        let mut s = 7u64;
        let mut checked = 0;
        for case in 0..60 {
            let (ox, oy) = (next(&mut s) * 200.0 - 100.0, next(&mut s) * 200.0 - 100.0);
            let extent = 0.01 + next(&mut s) * 50.0;
            let bounds = Bounds {
                x0: ox,
                y0: oy,
                x1: ox + extent,
                y1: oy + extent * 0.7,
            };
            let (w, h) = (300 + case * 37, 200 + case * 23);
            let mut vp = Viewport::fit(bounds, w, h, 24.0);
            let zoom = [1.0, 0.05, 3.0, 40.0, 2000.0][case as usize % 5];
            vp.zoom_at(
                next(&mut s) * f64::from(w),
                next(&mut s) * f64::from(h),
                zoom,
            );
            let t = PointTransform::new(&vp, 9.0);
            for _ in 0..400 {
                // Points around the view, on the screen and just off it.
                let (mx, my) = vp.to_map(
                    next(&mut s) * f64::from(w) * 1.2 - 0.1 * f64::from(w),
                    next(&mut s) * f64::from(h) * 1.2 - 0.1 * f64::from(h),
                );
                let (x, y) = (mx as f32, my as f32);
                let (px, py) = vp.to_pixel(f64::from(x), f64::from(y));
                let [gx, gy] = t.pixel_centre(x, y);
                for (cpu, gl) in [(px, gx), (py, gy)] {
                    // f32 and f64 may round differently within a hair of a tie.
                    let tie = (cpu - cpu.floor() - 0.5).abs() < 1e-3;
                    if !tie {
                        assert_eq!(f64::from(gl), cpu.round() + 0.5, "case {case}: {x}, {y}");
                        checked += 1;
                    } else {
                        assert!((f64::from(gl) - 0.5 - cpu.round()).abs() <= 1.0);
                    }
                }
                // Clip space maps the margin-wide GL viewport back onto the canvas.
                let [cx, cy] = t.clip(x, y);
                let (ww, hh) = (f64::from(w) + 18.0, f64::from(h) + 18.0);
                let back = (
                    (f64::from(cx) + 1.0) / 2.0 * ww - 9.0,
                    (1.0 - f64::from(cy)) / 2.0 * hh - 9.0,
                );
                assert!(
                    (back.0 - f64::from(gx)).abs() < 1e-2 && (back.1 - f64::from(gy)).abs() < 1e-2
                );
            }
        }
        assert!(checked > 40_000);
    }

    #[wasm_bindgen_test]
    fn software_renderers_are_recognised() {
        for name in [
            "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
            "Google SwiftShader",
            "llvmpipe (LLVM 15.0.6, 256 bits)",
            "ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)",
        ] {
            assert!(is_software(name), "{name}");
        }
        for name in [
            "ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)",
            "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)",
            "Apple GPU",
            "Adreno (TM) 640",
            "WebKit WebGL",
        ] {
            assert!(!is_software(name), "{name}");
        }
    }

    #[wasm_bindgen_test]
    fn a_point_square_holds_the_cpu_disc_and_its_antialiased_edge() {
        // The CPU path fills pixel centres within radius + 0.5; the GL edge
        // fades out by radius + 1.5, the square's half side.
        for r in 1..10 {
            assert_eq!(point_size(r) as f64 / 2.0, f64::from(r) + 1.5);
        }
    }
}
