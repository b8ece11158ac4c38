//! claimstance turns dumps of news articles into CSV tables of who says what
//! about US engagement: sentence units, actor mentions, claims, their holders
//! and their stance toward the United States staying involved.
//!
//! The stages are pure functions over `&str` that return spans in source byte
//! offsets ([`normalize`], [`segment`], [`matching`], [`score`]); [`input`] and
//! [`output`] own all I/O, and [`pipeline`] wires them together in parallel.
//!
//! `unsafe` is denied everywhere but in `matching::blocks`, whose two SSE2
//! byte-class functions are tested against a portable twin.

#![deny(unsafe_code)]

pub mod annotate;
pub mod eval;
pub mod explain;
pub mod fold;
pub mod input;
pub mod lexicon;
pub mod matching;
pub mod normalize;
pub mod output;
pub mod pipeline;
pub mod score;
pub mod segment;
pub mod text;
pub mod types;
