//! Shared pieces of the interface: the page frame and small widgets used by several pages.

pub mod layout;
pub mod widgets;
