//! Charts as PNG, for documents that cannot hold SVG (a workbook, a printed report).

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{fontdb, Options, Tree};

use super::ChartError;

/// The scale a chart is rasterised at: 2 device pixels per SVG pixel, so that 12-pixel Chinese text stays sharp.
pub const PNG_SCALE: f32 = 2.0;

/// The system fonts, loaded once (memory-mapped). Chinese needs a CJK font such as Debian's fonts-noto-cjk; without
/// one the PNG is still drawn, with the text missing.
fn fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_system_fonts();
            db.set_sans_serif_family("Noto Sans CJK SC");
            Arc::new(db)
        })
        .clone()
}

/// Rasterises a chart's SVG to PNG at [`PNG_SCALE`] with resvg and the system fonts (the font list of
/// [`FONT_FAMILY`](super::FONT_FAMILY) picks a CJK font when one is installed).
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, ChartError> {
    let options = Options { fontdb: fonts(), ..Options::default() };
    let tree = Tree::from_str(svg, &options).map_err(|e| ChartError::Png(e.to_string()))?;
    let size = tree.size().to_int_size();
    let (w, h) = ((size.width() as f32 * PNG_SCALE).ceil() as u32, (size.height() as f32 * PNG_SCALE).ceil() as u32);
    let mut pixmap = Pixmap::new(w, h).ok_or_else(|| ChartError::Png(format!("图像尺寸无效：{w}×{h}")))?;
    resvg::render(&tree, Transform::from_scale(PNG_SCALE, PNG_SCALE), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| ChartError::Png(e.to_string()))
}
