//! `Matcher::check` finds each kind of lexicon problem on its line.

use claimstance::lexicon::{LexiconFile, Lexicons, Problem, Severity};
use claimstance::matching::Matcher;

fn file(name: &str, text: &str) -> LexiconFile {
    LexiconFile {
        name: name.into(),
        origin: format!("fixture/{name}"),
        text: text.into(),
    }
}

fn check(actors: &str, non_actors: &str) -> Vec<Problem> {
    let builtin = Lexicons::builtin();
    let mut files: Vec<LexiconFile> = builtin.named("actor_context.csv").cloned().collect();
    files.push(file("actors.csv", actors));
    files.push(file("non_actors.csv", non_actors));
    Matcher::check(&Lexicons::from_files(files))
}

fn has(problems: &[Problem], line: u64, severity: Severity, needle: &str) -> bool {
    problems
        .iter()
        .any(|p| p.line == line && p.severity == severity && p.message.contains(needle))
}

const ACTORS: &str = "actor,entity,type,alias,case,note
USA,USA,state,United States,any,
USA,USA,state,United States,any,duplicate of line 2
USA,USA,state,US,exact,
GBR,GBR,state,US,exact,second actor
PAK,PAK,country,Pakistan,any,bad type
PAK,PAK,state,Pakistani,sometimes,bad case
PAK,PAK,state,,any,empty alias
XYZ,XYZ/Someone,person,Someone Important,exact,unknown code
TALIBAN,TALIBAN,group,Taliban,any,
TALIBAN,TALIBAN/Kabul,capital,Kabul,exact,capital of a group
USA,USA,state,Uncle Sam\u{2019}s,exact,curly quote
USA,USA/Washington Post,agency,Washington Post,any,blocked by a non-actor
AFG,AFG,state,Afghan government,any,head noun
USA,USA/President Biden,person,President Biden,exact,title
AFG,AFG,state,Afghanistan,any
USA,USA,state,---,any,no letters
AFG,AFG,state,Afghan,any,
USA,USA/Joe Biden,person,Biden,exact,
FSA,FSA,group,Free Syrian Army,any,a name ending with a head noun
COD,COD,state,DR Congo,any,not the title Dr.
COD,COD,state,Congo,any,
";

const NON_ACTORS: &str = "name,case,note
Washington Post,any,newspaper
Georgetown University,sometimes,bad case
Georgetown University,any,
Georgetown University,any,duplicate
";

#[test]
fn finds_each_kind_of_problem_on_its_line() {
    let problems = check(&ACTORS.replace("\\u{2019}", "\u{2019}"), NON_ACTORS);
    let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let expect = [
        (2, Severity::Warning, "duplicate alias `United States`"),
        (4, Severity::Error, "alias `US` under two actors"),
        (6, Severity::Error, "unknown type `country`"),
        (7, Severity::Error, "unknown case `sometimes`"),
        (8, Severity::Error, "empty `alias`"),
        (9, Severity::Error, "unknown actor code `XYZ`"),
        (11, Severity::Error, "no `state` or `org` row defines"),
        (12, Severity::Warning, "not in folded form"),
        (13, Severity::Warning, "can never match"),
        (14, Severity::Warning, "head noun `government`"),
        (15, Severity::Warning, "title `President`"),
        (17, Severity::Error, "no letter or digit"),
    ];
    for (line, severity, needle) in expect {
        assert!(
            has(&problems, line, severity, needle),
            "line {line} {needle}: {shown:#?}"
        );
    }
    assert!(has(
        &problems,
        3,
        Severity::Error,
        "unknown case `sometimes`"
    ));
    assert!(has(
        &problems,
        5,
        Severity::Warning,
        "duplicate non-actor name"
    ));
    assert!(
        !problems.iter().any(|p| p.line == 20 || p.line == 21),
        "{shown:#?}"
    );
    // A row with a column left out is malformed.
    assert!(has(&problems, 16, Severity::Error, "malformed row"));
}

#[test]
fn errors_stop_the_build_and_warnings_do_not() {
    let builtin = Lexicons::builtin();
    let mut files: Vec<LexiconFile> = builtin.named("actor_context.csv").cloned().collect();
    files.push(file(
        "actors.csv",
        "actor,entity,type,alias,case,note\nUSA,USA,state,US,exact,\nUSA,USA,state,US,exact,\n",
    ));
    assert!(Matcher::build(&Lexicons::from_files(files.clone())).is_ok());
    files.push(file(
        "actors.csv",
        "actor,entity,type,alias,case,note\nUSA,USA,state,America,never,\n",
    ));
    let errors = Matcher::build(&Lexicons::from_files(files)).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 2);
    assert_eq!(errors[0].severity, Severity::Error);
}

#[test]
fn a_users_row_over_a_builtin_one_is_no_problem() {
    let builtin = Lexicons::builtin();
    let mut files: Vec<LexiconFile> = builtin.named("actor_context.csv").cloned().collect();
    files.push(file(
        "actors.csv",
        "actor,entity,type,alias,case,note\nAFG,AFG,state,Afghanistan,any,\nAFG,AFG/Kabul,capital,Kabul,exact,\n",
    ));
    files.push(LexiconFile {
        name: "actors.csv".into(),
        origin: "/home/user/lex/actors.csv".into(),
        text: "actor,entity,type,alias,case,note\nAFG,AFG/Kabul city,capital,Kabul,exact,\n".into(),
    });
    assert_eq!(Matcher::check(&Lexicons::from_files(files)), vec![]);
}

#[test]
fn the_builtin_lexicons_have_no_errors() {
    let problems = Matcher::check(&Lexicons::builtin());
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
