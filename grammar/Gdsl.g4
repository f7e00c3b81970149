// GDSL: the gennc description language for spiking-network models and networks.
// docs/language.md is the reference; this grammar is its syntax. Statements end at ';' or
// at the start of the next statement (newlines are not significant), so a statement that
// continues on the next line with a leading operator must be written on one line or
// parenthesised.
grammar Gdsl;

file : topItem* EOF ;

topItem
  : importDecl
  | modelDecl
  | networkDecl
  ;

importDecl : 'import' (name=ID | path=STRING) ';'? ;

// ---- Models -------------------------------------------------------------------------

modelDecl : kind=modelKind name=ID '{' modelItem* '}' ;

modelKind
  : 'neuron' | 'postsynaptic' | 'synapse' | 'current_source' | 'spike_source'
  | 'timing_dependence' | 'weight_dependence'
  ;

modelItem
  : section=('parameters' | 'state' | 'derived' | 'input' | 'uses') '{' varDecl* '}'  # declSection
  | 'equations' '{' equation* '}'                                                  # equationsSection
  | 'threshold' cond=expr ('at' time=expr)? ';'?                                  # thresholdItem
  | 'reset' block                                                                  # resetItem
  | 'refractory' expr ';'?                                                         # refractoryItem
  | 'update' block                                                                 # updateItem
  | 'on' event=ID ('(' paramList? ')')? block                                      # handlerItem
  | 'function' name=ID '(' paramList? ')' block                                    # functionItem
  | 'output' target=ID op='+=' expr ';'?                                           # outputItem
  | 'receptor' name=ID ':' model=ID '(' argList? ')' ';'?                          # receptorItem
  | 'slot' name=ID ':' kind=modelKind ';'?                                         # slotItem
  | 'solver' method=ID ';'?                                                        # solverItem
  | side=('pre_trace' | 'post_trace') '{' modelItem* '}'                           # traceItem
  ;

varDecl : name=ID ':' type=typeExpr ('=' init=expr)? ';'? ;

param : name=ID ':' type=typeExpr ;
paramList : param (',' param)* ;

typeExpr : scalarType (array='[' ']')? ;

scalarType
  : 'bool'              # boolType
  | 'int'               # intType
  | 'real'              # realType
  | unitExpr            # quantityType
  ;

unitExpr : unitFactor (op+=('*' | '/') unitFactor)* ;

unitFactor
  : name=ID ('^' exponent=signedInt)?    # namedUnit
  | one=INT                              # unitOne
  | '(' unitExpr ')'                     # parenUnit
  ;

signedInt : '-'? INT ;

equation : name=ID '\'' '=' expr ';'? ;

// ---- Statements ---------------------------------------------------------------------

block : '{' statement* '}' ;

statement
  : 'let' name=ID (':' type=typeExpr)? '=' expr ';'?                    # letStmt
  | target=lvalue op=('=' | '+=' | '-=' | '*=' | '/=') expr ';'?       # assignStmt
  | 'if' cond=expr then=block ('else' (elseBlock=block | elseIf=statement))?  # ifStmt
  | stmtExpr ';'?                                                      # exprStmt
  ;

// An expression statement starts with a name, as a call does (sema refuses any other
// expression). Were it to start with `+ - ( [`, it could as well continue the expression
// that ends the statement before it, and with `;` optional, prediction would read ahead to
// the end of the block at every statement: quadratic time in the length of a block.
stmtExpr
  : ID                                              # stmtName
  | callee=stmtExpr '(' argList? ')'                # stmtCall
  | base=stmtExpr '[' index=sliceOrIndex ']'        # stmtIndex
  | base=stmtExpr '.' member=ID                     # stmtMember
  ;

lvalue : ID ('.' ID)? ;

// ---- Expressions (loosest binding first) --------------------------------------------

expr
  : primary                                                        # primaryExpr
  | callee=expr '(' argList? ')'                                   # callExpr
  | base=expr '[' index=sliceOrIndex ']'                           # indexExpr
  | base=expr '.' member=ID                                        # memberExpr
  | <assoc=right> lhs=expr op='^' rhs=expr                         # powerExpr
  | op=('-' | '+' | '!') operand=expr                              # unaryExpr
  | lhs=expr op=('*' | '/' | '%') rhs=expr                         # mulExpr
  | lhs=expr op=('+' | '-') rhs=expr                               # addExpr
  | lhs=expr op=('<' | '<=' | '>' | '>=') rhs=expr                 # compareExpr
  | lhs=expr op=('==' | '!=') rhs=expr                             # equalityExpr
  | lhs=expr op='&&' rhs=expr                                      # andExpr
  | lhs=expr op='||' rhs=expr                                      # orExpr
  | <assoc=right> cond=expr '?' then=expr ':' otherwise=expr       # conditionalExpr
  ;

primary
  : QUANTITY                    # quantityLiteral
  | NUMBER                      # numberLiteral
  | INT                         # intLiteral
  | STRING                      # stringLiteral
  | ('true' | 'false')          # boolLiteral
  | ID                          # nameRef
  | '(' expr ')'                # parenExpr
  | '[' (expr (',' expr)*)? ','? ']'   # listLiteral
  ;

sliceOrIndex
  : start=expr? ':' stop=expr? (':' step=expr?)?   # slice
  | expr                                           # singleIndex
  ;

argList : arg (',' arg)* ;
arg : (name=ID '=')? value=expr ;

// ---- Networks -----------------------------------------------------------------------

networkDecl : 'network' name=ID '{' netItem* '}' ;

netItem
  : name=ID '=' value=expr ';'?                                                   # settingItem
  | 'let' name=declName '=' value=expr ';'?                                         # constantItem
  | 'population' name=declName '=' model=ID '(' size=expr ')' receptorBlock? structure? overrideBlock? ('as' precision=ID)? ';'?  # populationItem
  | 'view' name=declName '=' target=expr ';'?                                       # viewItem
  | 'assembly' name=declName '=' members=expr ';'?                                  # assemblyItem
  | 'projection' name=declName '=' pre=expr '->' post=expr 'via' connector=call
        ('synapse' synapse=call)? ('onto' receptor=ID)? ('as' connectivity=ID)? ';'?  # projectionItem
  | 'inject' (name=declName '=')? source=call 'into' target=expr ';'?                # injectItem
  | 'record' targets+=expr (',' targets+=expr)* ('every' interval=expr)? ';'?     # recordItem
  ;

receptorBlock : 'with' 'receptors' '{' receptorBinding ((',' | ';')? receptorBinding)* (',' | ';')? '}' ;
receptorBinding : name=ID ':' model=call ;

structure : 'at' call ;

overrideBlock : '{' override* '}' ;
override : name=ID '=' value=expr ';'? ;

call : name=ID '(' argList? ')' ;

// The name an item declares. A reserved word is taken here too, so that the front end
// reports it once as such rather than as a cascade of syntax errors.
declName : ID | keyword ;

keyword
  : 'as' | 'assembly' | 'at' | 'bool' | 'current_source' | 'derived' | 'else'
  | 'equations' | 'every' | 'false' | 'function' | 'if' | 'import' | 'inject' | 'input'
  | 'int' | 'into' | 'let' | 'network' | 'neuron' | 'on' | 'onto' | 'output'
  | 'parameters' | 'population' | 'post_trace' | 'postsynaptic' | 'pre_trace'
  | 'projection' | 'real' | 'receptor' | 'receptors' | 'record' | 'refractory' | 'reset'
  | 'slot' | 'solver' | 'spike_source' | 'state' | 'synapse' | 'threshold'
  | 'timing_dependence' | 'true' | 'update' | 'uses' | 'via' | 'view'
  | 'weight_dependence' | 'with'
  ;

// ---- Tokens -------------------------------------------------------------------------

// A number followed on the same line by a unit name is one token: `20 ms`, `-65 mV` is a
// minus applied to `65 mV`. Sema splits the number from the unit and checks the unit.
// NUMBER comes first so that `1e3` (as long as QUANTITY's reading `1` + unit `e3`) is a
// number; the lexer prefers the earlier rule among equally long matches.
NUMBER   : NUMBER_BODY ;
QUANTITY : (DIGITS | NUMBER_BODY) [ \t]* [a-zA-Z_] [a-zA-Z_0-9]* ;
INT      : DIGITS ;
ID       : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING   : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;

fragment DIGITS : [0-9]+ ;
fragment NUMBER_BODY
  : DIGITS '.' DIGITS? EXPONENT?
  | '.' DIGITS EXPONENT?
  | DIGITS EXPONENT
  ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;

// Malformed input becomes tokens on the hidden channel: the front end reports them with a
// precise message and the parser never sees them, so one bad character does not cascade.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF -> channel(HIDDEN) ;
UNTERMINATED_STRING  : '"' (~["\\\r\n] | '\\' ~[\r\n])* '\\'? -> channel(HIDDEN) ;
BAD_CHARACTER        : . -> channel(HIDDEN) ;
