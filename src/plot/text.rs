//! Bitmap text with each glyph at its own pen position.
//!
//! plotters 0.3.7 rasterises bitmap text glyph by glyph but places each glyph's ink box at the
//! pen position, dropping the glyph's left side bearing and the fractional part of the pen
//! position. At the sizes of the figures (13–22 px) narrow pairs then run together: "rn" reads
//! as "m" ("Leaming rate") and "cl" as "d" ("Limit cyde"). [`GlyphText`] wraps a backend and
//! draws the text of the embedded DejaVu Sans itself: the same layout box, anchor and rotation
//! as plotters (so labels stay where they were), each glyph outlined at its sub-pixel pen
//! position (advance + kerning), whose ink box then includes the side bearing. Other drawing
//! calls go to the wrapped backend unchanged. SVG output needs no such fix: its text is laid
//! out by the viewer.

use ab_glyph::{point, Font, FontRef, GlyphId, ScaleFont};
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::FontStyle;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// A drawing backend whose text is rendered by [`draw_glyphs`]; everything else is passed to
/// the wrapped backend `B`.
pub struct GlyphText<B>(pub B);

/// The embedded font for a plotters family and style, or `None` for a family the crate does
/// not register (then the wrapped backend draws the text).
fn font_for(family: &str, style: FontStyle) -> Option<FontRef<'static>> {
    if family != super::FONT {
        return None;
    }
    let bytes = match style {
        FontStyle::Bold => dejavu::sans::bold(),
        FontStyle::Oblique | FontStyle::Italic => dejavu::sans::oblique(),
        FontStyle::Normal => dejavu::sans::regular(),
    };
    FontRef::try_from_slice(bytes).ok()
}

/// Rasterise `text` at `size` px: calls `pixel(x, y, coverage)` in layout coordinates (origin
/// at the left of the layout box; the baseline at y = size/2, as plotters places it). The pen
/// advances by each glyph's advance plus the pair kerning; each glyph is outlined at the
/// fractional pen position.
pub fn draw_glyphs(
    font: &FontRef<'_>,
    size: f32,
    text: &str,
    mut pixel: impl FnMut(i32, i32, f32),
) {
    let scaled = font.as_scaled(size);
    let mut pen = 0f32;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        prev = Some(id);
        let glyph = id.with_scale_and_position(size, point(pen, 0.0));
        if let Some(outline) = scaled.outline_glyph(glyph) {
            let b = outline.px_bounds();
            let (x0, y0) = (b.min.x as i32, (size / 2.0 + b.min.y) as i32);
            outline.draw(|x, y, a| pixel(x0 + x as i32, y0 + y as i32, a));
        }
        pen += scaled.h_advance(id);
    }
}

impl<B: DrawingBackend> DrawingBackend for GlyphText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let Some(font) = font_for(style.family().as_str(), style.style()) else {
            return self.0.draw_text(text, style, pos);
        };
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        // Anchor and rotation exactly as plotters' default `draw_text`.
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.0.get_size();
        let mut pixels = Vec::new();
        draw_glyphs(&font, style.size() as f32, text, |x, y, a| {
            let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                pixels.push(((x, y), a));
            }
        });
        for (p, a) in pixels {
            let c = BackendColor {
                alpha: color.alpha * f64::from(a.clamp(0.0, 1.0)),
                rgb: color.rgb,
            };
            self.0.draw_pixel(p, c)?;
        }
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.0.estimate_text_size(text, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns of ink (coverage > 0.5) of `text` at `size` px.
    fn ink_columns(text: &str, size: f32) -> Vec<bool> {
        let font = font_for(super::super::FONT, FontStyle::Normal).unwrap();
        let mut cols = vec![false; 400];
        draw_glyphs(&font, size, text, |x, _, a| {
            if a > 0.5 && (0..400).contains(&x) {
                cols[x as usize] = true;
            }
        });
        cols
    }

    /// Whether the ink of `pair`'s second glyph stays apart from the first: the column just
    /// after the first glyph's last ink column (coverage > 0.5) is blank.
    fn apart(pair: &str, size: f32) -> bool {
        let first: String = pair.chars().take(1).collect();
        let last = ink_columns(&first, size).iter().rposition(|&b| b).unwrap();
        !ink_columns(pair, size)[last + 1]
    }

    #[test]
    fn rn_and_cl_stay_apart_at_the_figure_sizes() {
        // With the side bearing dropped (plotters 0.3.7) the n's stem touches the r's arm and
        // "rn" reads "m"; likewise "cl" reads "d".
        for size in [13.0, 14.0, 15.0, 16.0, 18.0, 20.0] {
            for pair in ["rn", "cl"] {
                assert!(apart(pair, size), "{pair} at {size} px");
            }
        }
    }

    #[test]
    fn glyphs_keep_their_left_side_bearing() {
        // The ink of "l" starts at its left side bearing (about 3.8 px at 40 px), not at the
        // pen position as in plotters 0.3.7.
        let font = font_for(super::super::FONT, FontStyle::Normal).unwrap();
        let lsb = font.as_scaled(40.0).h_side_bearing(font.glyph_id('l'));
        let first = ink_columns("l", 40.0).iter().position(|&b| b).unwrap();
        assert!(lsb > 3.0, "{lsb}");
        assert!((first as f32 - lsb).abs() <= 1.0, "{first} vs {lsb}");
        assert!(font_for("serif", FontStyle::Normal).is_none());
    }
}
