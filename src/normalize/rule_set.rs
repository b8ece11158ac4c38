//! Boilerplate patterns searched with a lazy DFA (regex-automata's hybrid
//! engine, the one `Regex` and `RegexSet` run) directly: a set of whole-line
//! rules and the search that says which of them match a line (one cache per
//! document, taken from a pool, so that a line costs no more than the bytes
//! it reads), and a prefix pattern that says where its match at the start
//! of a line ends. Only the forward automaton is built. When the lazy DFA
//! cannot be built for a pattern, or gives up on a line, `RegexSet` or
//! `Regex` answers instead.

use regex::{Regex, RegexSet, RegexSetBuilder};
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::{Anchored, Input, MatchKind, PatternSet};
use regex_syntax::hir::Hir;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::{Arc, OnceLock};

/// Limit of the compiled whole-line patterns and of their lazy DFA's cache,
/// in bytes (those the `RegexSet` was given).
const SIZE_LIMIT: usize = 64 << 20;
/// Limits of a prefix pattern and of its lazy DFA's cache (`Regex`'s own).
const PREFIX_SIZE_LIMIT: usize = 10 << 20;
const PREFIX_CACHE_LIMIT: usize = 2 << 20;

type CacheFn = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// Some whole-line rules, anchored at both ends.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// For each pattern, the rule's index in the lexicon's whole-line rules
    /// (ascending).
    pub rules: Vec<usize>,
    engine: Engine,
}

#[derive(Debug, Clone)]
enum Engine {
    Lazy(Box<LazySet>),
    Plain(RegexSet),
}

#[derive(Debug, Clone)]
struct LazySet {
    dfa: DFA,
    caches: Arc<Pool<Cache, CacheFn>>,
    patterns: Arc<[String]>,
    /// A `RegexSet` of the same patterns, built if the DFA ever gives up.
    fallback: Arc<OnceLock<Option<RegexSet>>>,
}

impl RuleSet {
    /// Compiles `patterns` (with `hirs`, their parsed forms, when all
    /// parsed); `rules` gives each one's rule index. The error is the one
    /// `RegexSet` gives.
    pub fn build(
        patterns: &[&str],
        hirs: &[Option<&Hir>],
        rules: Vec<usize>,
        compiler: &mut thompson::Compiler,
    ) -> Result<RuleSet, regex::Error> {
        if let Some(lazy) = LazySet::build(patterns, hirs, compiler) {
            return Ok(RuleSet {
                rules,
                engine: Engine::Lazy(Box::new(lazy)),
            });
        }
        let set = plain_set(patterns)?;
        Ok(RuleSet {
            rules,
            engine: Engine::Plain(set),
        })
    }

    /// Whether the set is searched with a lazy DFA (not a `RegexSet`).
    #[cfg(test)]
    pub fn runs_lazy_dfa(&self) -> bool {
        matches!(self.engine, Engine::Lazy(_))
    }

    /// A search of this set, for the lines of one document.
    pub fn search(&self) -> RuleSearch<'_> {
        RuleSearch {
            set: self,
            cache: None,
            found: PatternSet::new(self.rules.len()),
        }
    }
}

fn plain_set(patterns: &[&str]) -> Result<RegexSet, regex::Error> {
    RegexSetBuilder::new(patterns)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .build()
}

impl LazySet {
    fn build(
        patterns: &[&str],
        hirs: &[Option<&Hir>],
        compiler: &mut thompson::Compiler,
    ) -> Option<LazySet> {
        let hirs: Vec<&Hir> = hirs.iter().copied().collect::<Option<_>>()?;
        if hirs.is_empty() || hirs.len() != patterns.len() {
            return None;
        }
        let (dfa, caches) = lazy_dfa(&hirs, MatchKind::All, SIZE_LIMIT, SIZE_LIMIT, compiler)?;
        Some(LazySet {
            dfa,
            caches,
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
            fallback: Arc::new(OnceLock::new()),
        })
    }
}

/// A compiler of the patterns' automata, made once for all of them: each
/// compiler sets up tables for its UTF-8 classes that cost more to make and
/// drop than many small patterns cost to compile.
pub fn compiler() -> thompson::Compiler {
    thompson::Compiler::new()
}

/// A lazy DFA for `hirs` and a pool of caches for it; `None` when a pattern
/// asks for Unicode word boundaries (the lazy DFA would give up on
/// non-ASCII text) or the DFA does not build.
fn lazy_dfa(
    hirs: &[&Hir],
    kind: MatchKind,
    size_limit: usize,
    cache_limit: usize,
    compiler: &mut thompson::Compiler,
) -> Option<(DFA, Arc<Pool<Cache, CacheFn>>)> {
    if hirs
        .iter()
        .any(|hir| hir.properties().look_set().contains_word_unicode())
    {
        return None;
    }
    let nfa = compiler
        .configure(
            thompson::Config::new()
                .nfa_size_limit(Some(size_limit))
                .which_captures(WhichCaptures::None),
        )
        .build_many_from_hir(hirs)
        .ok()?;
    let dfa = DFA::builder()
        .configure(DFA::config().match_kind(kind).cache_capacity(cache_limit))
        .build_from_nfa(nfa)
        .ok()?;
    let for_caches = dfa.clone();
    let create: CacheFn = Box::new(move || for_caches.create_cache());
    Some((dfa, Arc::new(Pool::new(create))))
}

/// One pattern, anchored at the start of the text: where its match ends.
#[derive(Debug, Clone)]
pub struct PrefixRegex {
    pattern: Arc<str>,
    engine: PrefixEngine,
}

#[derive(Debug, Clone)]
enum PrefixEngine {
    Lazy(Box<LazyPrefix>),
    Plain(Regex),
}

#[derive(Debug, Clone)]
struct LazyPrefix {
    dfa: DFA,
    caches: Arc<Pool<Cache, CacheFn>>,
    /// The `Regex` of the pattern, built if the DFA ever gives up.
    fallback: Arc<OnceLock<Option<Regex>>>,
}

impl PrefixRegex {
    /// Compiles `pattern` (which starts with `^`); the error is the one
    /// `Regex` gives.
    #[cfg(test)]
    pub fn build(pattern: &str) -> Result<PrefixRegex, regex::Error> {
        let hir = regex_syntax::Parser::new().parse(pattern).ok();
        PrefixRegex::build_parsed(pattern, hir.as_ref(), &mut compiler())
    }

    /// [`PrefixRegex::build`] given `hir`, the pattern parsed (`None` if it
    /// did not parse), and the compiler of the automaton.
    pub fn build_parsed(
        pattern: &str,
        hir: Option<&Hir>,
        compiler: &mut thompson::Compiler,
    ) -> Result<PrefixRegex, regex::Error> {
        let lazy = hir.and_then(|hir| {
            lazy_dfa(
                &[hir],
                MatchKind::LeftmostFirst,
                PREFIX_SIZE_LIMIT,
                PREFIX_CACHE_LIMIT,
                compiler,
            )
        });
        let engine = match lazy {
            Some((dfa, caches)) => PrefixEngine::Lazy(Box::new(LazyPrefix {
                dfa,
                caches,
                fallback: Arc::new(OnceLock::new()),
            })),
            None => PrefixEngine::Plain(Regex::new(pattern)?),
        };
        Ok(PrefixRegex {
            pattern: Arc::from(pattern),
            engine,
        })
    }

    /// Where the leftmost-first match at the start of `text` ends (what
    /// `Regex::find` gives for the pattern), if there is one.
    pub fn match_end(&self, text: &str) -> Option<usize> {
        let lazy = match &self.engine {
            PrefixEngine::Plain(regex) => return regex.find(text).map(|m| m.end()),
            PrefixEngine::Lazy(lazy) => lazy,
        };
        let input = Input::new(text).anchored(Anchored::Yes);
        match lazy.dfa.try_search_fwd(&mut lazy.caches.get(), &input) {
            Ok(found) => found.map(|half| half.offset()),
            Err(_) => lazy
                .fallback
                .get_or_init(|| Regex::new(&self.pattern).ok())
                .as_ref()
                .and_then(|regex| regex.find(text))
                .map(|m| m.end()),
        }
    }
}

/// Searches one set, line after line, with one DFA cache.
pub struct RuleSearch<'a> {
    set: &'a RuleSet,
    cache: Option<PoolGuard<'a, Cache, CacheFn>>,
    found: PatternSet,
}

impl RuleSearch<'_> {
    /// The first rule (lowest rule index) of the set that matches the whole
    /// of `text` and that `admits` it.
    pub fn first_match(&mut self, text: &str, admits: impl Fn(usize) -> bool) -> Option<usize> {
        let rules = &self.set.rules;
        let first = |patterns: &mut dyn Iterator<Item = usize>| {
            patterns
                .filter_map(|pattern| rules.get(pattern).copied())
                .find(|&rule| admits(rule))
        };
        let lazy = match &self.set.engine {
            Engine::Plain(set) => return plain_first(set, text, first),
            Engine::Lazy(lazy) => lazy,
        };
        let cache = self.cache.get_or_insert_with(|| lazy.caches.get());
        let input = Input::new(text).anchored(Anchored::Yes).earliest(true);
        // Most lines match no rule: the quick search says so, and only a
        // line that matches one is searched for every rule it matches.
        let searched = match lazy.dfa.try_search_fwd(cache, &input) {
            Ok(None) => return None,
            Ok(Some(_)) => {
                self.found.clear();
                let input = input.earliest(false);
                lazy.dfa
                    .try_which_overlapping_matches(cache, &input, &mut self.found)
            }
            Err(e) => Err(e),
        };
        match searched {
            Ok(()) => first(&mut self.found.iter().map(|pattern| pattern.as_usize())),
            Err(_) => {
                let fallback = lazy.fallback.get_or_init(|| {
                    let patterns: Vec<&str> = lazy.patterns.iter().map(String::as_str).collect();
                    plain_set(&patterns).ok()
                });
                fallback
                    .as_ref()
                    .and_then(|set| plain_first(set, text, first))
            }
        }
    }
}

fn plain_first(
    set: &RegexSet,
    text: &str,
    first: impl Fn(&mut dyn Iterator<Item = usize>) -> Option<usize>,
) -> Option<usize> {
    if !set.is_match(text) {
        return None;
    }
    first(&mut set.matches(text).into_iter())
}
