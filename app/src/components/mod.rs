//! Shared pieces of the interface: the page frame, small widgets used by several pages, and the encoding of the
//! data pages hand to the browser.

pub mod hydration;
pub mod layout;
pub mod widgets;
