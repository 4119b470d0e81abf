/*
 * The network language of nabla: a spec file (one statement per line) or a one-line expression.
 *
 * Style of grammars-v4's MuParser: one left-recursive `expr` rule whose alternatives are listed
 * from the tightest-binding to the loosest, every alternative labelled, atoms in their own rule.
 * The generated classes are internal to the grammar module: the AST builder turns the parse tree
 * into dev.nabla.grammar.ast records and nothing outside this package sees a parse tree.
 *
 * Decisions worth knowing:
 *  - NEWLINE is a token and ends a statement, except inside an open bracket when the next line does
 *    not start a statement of its own: `out = logsoftmax(W x` then `+ b)` is one statement, while an
 *    unclosed `Y1 = relu(W1 X + b1` can never run into the next line's `out = ...` (the lexer looks
 *    ahead for a keyword or `name =`). A continued line's NEWLINE goes to the hidden channel.
 *  - `relu(` without a space is one CALLEE token: a call candidate. `W (x)` with a space is a
 *    product. Whether a call-shaped `W(x)` is a call or a product is decided by the AST builder,
 *    which knows the spec's declarations.
 *  - Keywords are tokens, but the `name` rule accepts them so that `input = 3` parses and the name
 *    checker can say "'input' is a keyword" instead of a bare syntax error.
 *  - Characters the language does not know become UNEXPECTED_CHAR tokens on the hidden channel:
 *    the lexer never fails, and the token checks report them in words.
 */
grammar Nabla;

@lexer::members {
  /** How many brackets are open in the statement being read. */
  private int open;

  /** The type of the last token on the default channel: a line ending in ',' or '(' goes on. */
  private int lastType;

  @Override
  public Token nextToken() {
    Token token = super.nextToken();
    if (token.getChannel() == Token.DEFAULT_CHANNEL) {
      lastType = token.getType();
    }
    return token;
  }

  /** Whether the text after a newline starts a statement: a declaration keyword, {@code name =}, or the end. */
  private boolean nextLineStartsAStatement() {
    int i = 1;
    while (_input.LA(i) == ' ' || _input.LA(i) == '\t' || _input.LA(i) == '\r' || _input.LA(i) == '\n') {
      i++;
    }
    StringBuilder word = new StringBuilder();
    while (_input.LA(i) != IntStream.EOF && (Character.isLetterOrDigit(_input.LA(i)) || _input.LA(i) == '_')) {
      word.appendCodePoint(_input.LA(i++));
    }
    int after = _input.LA(i);
    if (word.length() == 0) {
      return after == IntStream.EOF;
    }
    if (java.util.Set.of("model", "input", "label", "target", "param", "def").contains(word.toString()) && (after == ' ' || after == '\t')) {
      return true;
    }
    while (_input.LA(i) == ' ' || _input.LA(i) == '\t') {
      i++;
    }
    return _input.LA(i) == '=';
  }
}

// ---------------------------------------------------------------- top rules

spec
   : statement? (NEWLINE statement?)* EOF
   ;

expression
   : NEWLINE* expr NEWLINE* EOF
   ;

// ---------------------------------------------------------------- statements

statement
   : MODEL name                                   # modelStatement
   | INPUT name shape?                            # inputStatement
   | LABEL name COLON dim                         # labelStatement
   | TARGET name shape?                           # targetStatement
   | PARAM name shape? initializer?               # paramStatement
   | DEF defHead parameters? RPAREN ASSIGN expr   # defStatement
   | name ASSIGN expr                             # letStatement
   ;

// `def dense(W, b, x)`, also accepted with a space before the parenthesis.
defHead
   : CALLEE
   | name LPAREN
   ;

parameters
   : name (COMMA name)*
   ;

shape
   : LBRACK dim (COMMA dim)* RBRACK
   ;

dim
   : NUMBER
   | name
   ;

// `init zeros`, `init normal(0, 0.01)`, `init uniform(-0.1, 0.1)`
initializer
   : INIT NAME                                                    # plainInit
   | INIT CALLEE (initArgument (COMMA initArgument)*)? RPAREN     # initWithArguments
   ;

initArgument
   : MINUS? NUMBER
   ;

// ---------------------------------------------------------------- expressions

expr
   : expr op = TRANSPOSE                                          # transposeExpr
   | <assoc = right> expr op = POW expr                           # powerExpr
   | op = MINUS expr                                              # negateExpr
   // One precedence level for every product, so that `a * b c` is `(a * b) c`. Juxtaposition
   // never takes an operand that starts with '-': `W -x` is a difference.
   | expr (op = (STAR | SLASH | AT | DOT | ODOT) | {_input.LA(1) != MINUS}?) expr  # productExpr
   | expr op = (PLUS | MINUS) expr                                # sumExpr
   | atom                                                         # atomExpr
   ;

atom
   : NUMBER                        # numberAtom
   | name                          # nameAtom
   | CALLEE arguments? RPAREN      # callAtom
   | LPAREN expr RPAREN            # parenAtom
   ;

arguments
   : argument (COMMA argument)*
   ;

// `conv2d(K, X, stride=2, padding=1)`: a named argument is a name, '=' and a value. The checks
// require named arguments after the positional ones and their values to be whole numbers.
argument
   : name ASSIGN expr            # namedArgument
   | expr                        # positionalArgument
   ;

name
   : NAME
   | MODEL
   | INPUT
   | LABEL
   | TARGET
   | PARAM
   | DEF
   | INIT
   ;

// ---------------------------------------------------------------- tokens

MODEL  : 'model' ;
INPUT  : 'input' ;
LABEL  : 'label' ;
TARGET : 'target' ;
PARAM  : 'param' ;
DEF    : 'def' ;
INIT   : 'init' ;

// A name glued to '(' : a call candidate.
CALLEE : NAME_START NAME_PART* '(' { open++; } ;
NAME   : NAME_START NAME_PART* ;

// Digits on both sides of a '.', so that `1.2.3` and `.5` are reported instead of misread.
NUMBER : DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)? ;

PLUS      : '+' ;
MINUS     : '-' | '\u2212' ;          // ASCII hyphen-minus or the Unicode minus sign
STAR      : '*' ;
ODOT      : '\u2299' ;                // ⊙, elementwise product
SLASH     : '/' ;
AT        : '@' ;
DOT       : '\u00B7' | '\u22C5' ;     // · middle dot or ⋅ dot operator: matrix product
POW       : '^' ;
TRANSPOSE : '\u1D40' | '\'' ;         // ᵀ or a quote
LPAREN    : '(' { open++; } ;
RPAREN    : ')' { if (open > 0) open--; } ;
LBRACK    : '[' { open++; } ;
RBRACK    : ']' { if (open > 0) open--; } ;
COMMA     : ',' ;
COLON     : ':' ;
ASSIGN    : '=' ;

NEWLINE : '\r'? '\n' {
     // After ',' or '(' inside brackets the line goes on even if the next reads `padding=1`.
     if (open > 0 && (lastType == COMMA || lastType == LPAREN || lastType == CALLEE || !nextLineStartsAStatement())) {
       setChannel(HIDDEN); // the statement goes on while a bracket is open
     } else {
       open = 0;
     }
   } ;
WS      : [ \t\f\r]+ -> skip ;
COMMENT : '#' ~[\r\n]* -> skip ;

// Anything else: kept (hidden) so that it is reported in words, never a lexer error.
UNEXPECTED_CHAR : . -> channel(HIDDEN) ;

// Letters but not modifier letters (category Lm), so that `Aᵀ` is A transposed.
fragment NAME_START : [\p{Lu}\p{Ll}\p{Lt}\p{Lo}_] ;
fragment NAME_PART  : NAME_START | [0-9] ;
fragment DIGITS     : [0-9]+ ;
