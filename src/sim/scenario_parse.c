/* Scenario parser: text -> an array of checked commands (no Linux
 * counterpart; the language is documented in docs/scenarios.md).
 *
 * A line is `[$VAR =] OP ARG...`, `#` starts a comment outside quotes.
 * Tokens are words, "strings" (escapes \\ \" \n \t \0 \xNN) and
 * expressions: NUMBER, $VAR, or either followed by +NUMBER/-NUMBER terms.
 * NUMBER is decimal or 0x hex with an optional K, M or G suffix (binary
 * units). Each op's spec letter checks an argument's kind up front:
 *   e expression   w word   s string   x anything (the op's hook checks)
 *   p protection   m mmap flags   a madvise advice   g gfp mask
 *   r mremap flags   y msync flags   c mlockall flags   o mlock2 flags
 *   O open flags   W lseek whence   I IPC_/SHM_ flags   S shmctl command
 *   f path (a word or a "string")   l list of numbers N,N,...
 * Flag arguments are a number or names joined by ',' or '|', so that
 * "rw-", "read,write" and "PROT_READ|PROT_WRITE" are all accepted.
 *
 * Invariants: a parsed command's variable references all name variables
 * assigned on an earlier line; every error names FILE:LINE:COL. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario_internal.h"

struct scn_parser {
	struct mmkit_scenario *sc;
	const char *file;
	int line;
	char *err;
	size_t errlen;
	int cap;
};

int scn_parse_error(char *err, size_t errlen, const char *file, int line, int col,
		    const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s:%d:%d: ", file, line, col);
	if (n < 0 || (size_t)n >= errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/**
 * scn_parse_number() - parse a scenario number: decimal, 0x hex or
 *	0-prefixed octal (0644), with an optional K/M/G suffix (x 1024,
 *	1024^2, 1024^3)
 * @s: the whole token
 * @out: the value
 *
 * Returns 0, or -EINVAL for anything else, -ERANGE on overflow.
 */
int scn_parse_number(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	int base = 10, digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && isdigit((unsigned char)s[1])) {
		base = 8;	/* as C and the shell: modes like 0644 */
	}
	for (; *s; s++) {
		int d;

		if (base == 8 && (*s == '8' || *s == '9'))
			return -EINVAL;
		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -ERANGE;
		v = v * (uint64_t)base + (uint64_t)d;
		digits++;
	}
	if (!digits)
		return -EINVAL;
	switch (*s) {
	case 'K': case 'k': mul = 1ULL << 10; s++; break;
	case 'M': case 'm': mul = 1ULL << 20; s++; break;
	case 'G': case 'g': mul = 1ULL << 30; s++; break;
	default: break;
	}
	if (*s)
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

/**
 * scn_parse_list() - check a list of numbers "N,N,..." (page numbers of
 *	`refs`, each below 1M)
 * @s: the token
 * @count: how many numbers
 *
 * Returns 0 or -EINVAL.
 */
int scn_parse_list(const char *s, size_t *count)
{
	*count = 0;
	for (;;) {
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = strtoul(s, &end, 0);
		if (v >= (1UL << 20) || (*end && *end != ','))
			return -EINVAL;
		(*count)++;
		if (!*end)
			return 0;
		s = end + 1;
	}
}

static int find_var(struct mmkit_scenario *sc, const char *name, size_t len)
{
	for (int i = 0; i < sc->nr_vars; i++)
		if (strlen(sc->var_names[i]) == len && !memcmp(sc->var_names[i], name, len))
			return i;
	return -1;
}

static size_t var_name_len(const char *s)
{
	size_t n = 0;

	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

/* Parse an expression token into a->e. */
static int parse_expr(struct scn_parser *p, struct scn_arg *a)
{
	const char *s = a->text;
	char term[64];

	a->e.var = -1;
	a->e.off = 0;
	if (*s == '$') {
		size_t n = var_name_len(s + 1);

		if (!n)
			return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
					       "bad variable name '%s'", a->text);
		a->e.var = find_var(p->sc, s + 1, n);
		if (a->e.var < 0)
			return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
					       "undefined variable $%.*s", (int)n, s + 1);
		s += 1 + n;
	} else {
		int neg = *s == '-';
		size_t n = strcspn(s + neg, "+-");
		uint64_t v;

		if (n >= sizeof(term))
			n = sizeof(term) - 1;
		memcpy(term, s + neg, n);
		term[n] = '\0';
		if (scn_parse_number(term, &v))
			return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
					       "bad number '%s'", a->text);
		a->e.off = neg ? -(int64_t)v : (int64_t)v;
		s += neg + n;
	}
	while (*s) {
		int neg = *s == '-';
		size_t n;
		uint64_t v;

		if (*s != '+' && *s != '-')
			goto bad;
		s++;
		n = strcspn(s, "+-");
		if (n == 0 || n >= sizeof(term))
			goto bad;
		memcpy(term, s, n);
		term[n] = '\0';
		if (scn_parse_number(term, &v))
			goto bad;
		a->e.off = (int64_t)((uint64_t)a->e.off + (neg ? -v : v));
		s += n;
	}
	return 0;
bad:
	return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
			       "bad expression '%s' (want NUMBER, $var or $var+NUMBER)", a->text);
}

static int hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A "quoted string" starting at s; *end gets the char after the closing quote. */
static int lex_string(struct scn_parser *p, const char *s, int col, struct scn_arg *a,
		      const char **end)
{
	size_t n = 0;
	char *buf = malloc(strlen(s) + 1);

	if (!buf)
		return -ENOMEM;
	for (s++; *s && *s != '"'; s++) {
		char c = *s;

		if (c == '\\') {
			s++;
			switch (*s) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '0': c = '\0'; break;
			case '\\': case '"': c = *s; break;
			case 'x':
				if (hexval((unsigned char)s[1]) < 0 || hexval((unsigned char)s[2]) < 0)
					goto bad_escape;
				c = (char)(hexval((unsigned char)s[1]) * 16 + hexval((unsigned char)s[2]));
				s += 2;
				break;
			default:
				goto bad_escape;
			}
		}
		buf[n++] = c;
	}
	if (*s != '"') {
		free(buf);
		return scn_parse_error(p->err, p->errlen, p->file, p->line, col,
				       "unterminated string");
	}
	buf[n] = '\0';
	a->kind = SCN_ARG_STRING;
	a->text = buf;
	a->len = n;
	*end = s + 1;
	return 0;
bad_escape:
	free(buf);
	return scn_parse_error(p->err, p->errlen, p->file, p->line, col,
			       "bad escape in string (use \\n \\t \\0 \\\\ \\\" \\xNN)");
}

static void free_args(struct scn_arg *args, int n);

static bool is_expr_start(const char *s)
{
	return *s == '$' || isdigit((unsigned char)*s) ||
	       (*s == '-' && isdigit((unsigned char)s[1]));
}

/* Split line into tokens (args[0] is the first word). Returns count or -errno. */
static int lex_line(struct scn_parser *p, const char *line, struct scn_arg *args, int max)
{
	const char *s = line;
	int n = 0, ret;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == max) {
			free_args(args, n);
			return scn_parse_error(p->err, p->errlen, p->file, p->line,
					       (int)(s - line) + 1, "too many arguments (at most %d)",
					       max - 3);
		}
		memset(&args[n], 0, sizeof(args[n]));
		args[n].col = (int)(s - line) + 1;
		if (*s == '"') {
			ret = lex_string(p, s, args[n].col, &args[n], &s);
			if (ret) {
				free_args(args, n);
				return ret;
			}
		} else {
			size_t len = strcspn(s, " \t\r");

			args[n].text = strndup(s, len);
			if (!args[n].text) {
				free_args(args, n);
				return -ENOMEM;
			}
			args[n].len = len;
			args[n].kind = is_expr_start(s) ? SCN_ARG_EXPR : SCN_ARG_WORD;
			s += len;
		}
		n++;
	}
}

static void free_args(struct scn_arg *args, int n)
{
	for (int i = 0; i < n; i++)
		free(args[i].text);
}

/* Flags given as a number or as names. */
static int parse_flag_arg(struct scn_parser *p, struct scn_arg *a, char letter)
{
	const char *what = "";
	int ret;

	if (a->kind == SCN_ARG_STRING)
		goto bad;
	if (a->kind == SCN_ARG_EXPR) {
		ret = parse_expr(p, a);
		if (ret || a->e.var < 0)
			return ret ? ret : (a->flags = (unsigned long)a->e.off, 0);
		goto bad;
	}
	switch (letter) {
	case 'p': what = "protection"; ret = scn_parse_prot(a->text, &a->flags); break;
	case 'm': what = "mmap flags"; ret = scn_parse_mapflags(a->text, &a->flags); break;
	case 'a': what = "madvise advice"; ret = scn_parse_madvise(a->text, &a->flags); break;
	case 'g': what = "gfp mask"; ret = scn_parse_gfp(a->text, &a->flags); break;
	case 'r': what = "mremap flags"; ret = scn_parse_simple_flags(a->text, "mremap", &a->flags); break;
	case 'y': what = "msync flags"; ret = scn_parse_simple_flags(a->text, "msync", &a->flags); break;
	case 'c': what = "mlockall flags"; ret = scn_parse_simple_flags(a->text, "mlockall", &a->flags); break;
	case 'O': what = "open flags"; ret = scn_parse_simple_flags(a->text, "open", &a->flags); break;
	case 'W': what = "lseek whence"; ret = scn_parse_simple_flags(a->text, "whence", &a->flags); break;
	case 'I': what = "IPC_*/SHM_* flags"; ret = scn_parse_simple_flags(a->text, "ipc", &a->flags); break;
	case 'S': what = "shmctl command"; ret = scn_parse_simple_flags(a->text, "shmctl", &a->flags); break;
	default: what = "mlock2 flags"; ret = scn_parse_simple_flags(a->text, "mlock2", &a->flags); break;
	}
	if (ret == 0)
		return 0;
	return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col, "bad %s '%s'", what,
			       a->text);
bad:
	return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
			       "expected flags (a number or names), got '%s'", a->text);
}

static int check_arg(struct scn_parser *p, const struct scn_op *op, struct scn_arg *a, int i)
{
	size_t speclen = strlen(op->spec);
	char letter = speclen ? op->spec[(size_t)i < speclen ? (size_t)i : speclen - 1] : 'x';

	switch (letter) {
	case 'x':
		return a->kind == SCN_ARG_EXPR ? parse_expr(p, a) : 0;
	case 'e':
		if (a->kind != SCN_ARG_EXPR)
			return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
					       "expected a number or $variable, got '%s'",
					       a->kind == SCN_ARG_STRING ? "\"...\"" : a->text);
		return parse_expr(p, a);
	case 'w':
		if (a->kind != SCN_ARG_WORD)
			return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
					       "expected a name, got '%s'",
					       a->kind == SCN_ARG_STRING ? "\"...\"" : a->text);
		return 0;
	case 's':
		if (a->kind != SCN_ARG_STRING)
			return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
					       "expected a \"string\", got '%s'", a->text);
		return 0;
	case 'f':
		if (a->kind == SCN_ARG_EXPR || !a->len || memchr(a->text, '\0', a->len))
			return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
					       "expected a path, got '%s'", a->text);
		return 0;
	case 'l': {
		size_t n;

		if (a->kind == SCN_ARG_STRING || scn_parse_list(a->text, &n))
			return scn_parse_error(p->err, p->errlen, p->file, p->line, a->col,
					       "expected a list of page numbers (1,2,3,...), got '%s'",
					       a->text);
		return 0;
	}
	default:
		return parse_flag_arg(p, a, letter);
	}
}

/* Parse the tokens of one line into a command appended to sc. */
static int parse_command(struct scn_parser *p, const char *line, struct scn_arg *tok, int n)
{
	struct mmkit_scenario *sc = p->sc;
	struct scn_cmd *c;
	const struct scn_op *op;
	int first = 0, assign = -1, ret;
	char *assign_name = NULL;

	if (tok[0].kind == SCN_ARG_EXPR && tok[0].text[0] == '$') {
		size_t len = var_name_len(tok[0].text + 1);

		if (n < 2 || strcmp(tok[1].text, "=") != 0 || tok[1].kind != SCN_ARG_WORD)
			return scn_parse_error(p->err, p->errlen, p->file, p->line,
					       n < 2 ? tok[0].col + (int)tok[0].len : tok[1].col,
					       "expected '=' after %s", tok[0].text);
		if (!len || tok[0].text[1 + len])
			return scn_parse_error(p->err, p->errlen, p->file, p->line, tok[0].col,
					       "bad variable name '%s'", tok[0].text);
		if (n < 3)
			return scn_parse_error(p->err, p->errlen, p->file, p->line,
					       tok[1].col + 1, "expected a command after '='");
		assign_name = tok[0].text + 1;
		first = 2;
	}
	if (tok[first].kind != SCN_ARG_WORD || scn_lookup_op(tok[first].text, &op))
		return scn_parse_error(p->err, p->errlen, p->file, p->line, tok[first].col,
				       "unknown command '%s' (see 'mmkit help scenario')",
				       tok[first].kind == SCN_ARG_STRING ? "\"...\"" : tok[first].text);
	if (assign_name && !(op->flags & SCN_VALUE))
		return scn_parse_error(p->err, p->errlen, p->file, p->line, tok[first].col,
				       "'%s' returns no value to assign", op->name);
	if (n - first - 1 < op->min_args || n - first - 1 > op->max_args) {
		if (op->min_args == op->max_args)
			return scn_parse_error(p->err, p->errlen, p->file, p->line, tok[first].col,
					       "'%s' takes %d argument%s, got %d (usage: %s)",
					       op->name, op->min_args, op->min_args == 1 ? "" : "s",
					       n - first - 1, op->usage);
		return scn_parse_error(p->err, p->errlen, p->file, p->line, tok[first].col,
				       "'%s' takes %d to %d arguments, got %d (usage: %s)", op->name,
				       op->min_args, op->max_args, n - first - 1, op->usage);
	}
	for (int i = first + 1; i < n; i++) {
		ret = check_arg(p, op, &tok[i], i - first - 1);
		if (ret)
			return ret;
	}
	if (sc->nr_cmds == p->cap) {
		int cap = p->cap ? 2 * p->cap : 32;
		struct scn_cmd *nc = realloc(sc->cmds, (size_t)cap * sizeof(*nc));

		if (!nc)
			return -ENOMEM;
		sc->cmds = nc;
		p->cap = cap;
	}
	c = &sc->cmds[sc->nr_cmds];
	memset(c, 0, sizeof(*c));
	c->line = p->line;
	c->col = tok[first].col;
	c->op = op;
	c->nargs = n - first - 1;
	for (int i = 0; i < c->nargs; i++)
		c->arg[i] = tok[first + 1 + i];
	if (op->parse) {
		ret = op->parse(c, p->err, p->errlen, p->file);
		if (ret)
			return ret;
	}
	if (assign_name) {
		size_t len = strlen(assign_name);

		assign = find_var(sc, assign_name, len);
		if (assign < 0) {
			if (sc->nr_vars == SCN_MAX_VARS)
				return scn_parse_error(p->err, p->errlen, p->file, p->line,
						       tok[0].col, "too many variables (at most %d)",
						       SCN_MAX_VARS);
			sc->var_names[sc->nr_vars] = strdup(assign_name);
			if (!sc->var_names[sc->nr_vars])
				return -ENOMEM;
			assign = sc->nr_vars++;
		}
	}
	c->assign = assign;
	c->src = strdup(line + tok[0].col - 1);
	if (!c->src)
		return -ENOMEM;
	/* trim the comment and trailing blanks off the echo */
	for (size_t i = 0, q = 0; c->src[i]; i++) {
		if (c->src[i] == '"')
			q ^= 1;
		if (c->src[i] == '#' && !q && (i == 0 || isspace((unsigned char)c->src[i - 1]))) {
			c->src[i] = '\0';
			break;
		}
	}
	for (size_t l = strlen(c->src); l && isspace((unsigned char)c->src[l - 1]); l--)
		c->src[l - 1] = '\0';
	/* the command owns its argument tokens now; free the prefix */
	for (int i = 0; i <= first; i++)
		free(tok[i].text);
	sc->nr_cmds++;
	return 0;
}

static int parse_line(struct scn_parser *p, const char *line)
{
	struct scn_arg tok[SCN_MAX_ARGS + 3];
	int n, ret;

	n = lex_line(p, line, tok, SCN_MAX_ARGS + 3);
	if (n <= 0)
		return n;
	ret = parse_command(p, line, tok, n);
	if (ret)
		free_args(tok, n);
	return ret;
}

int mmkit_scenario_parse(const char *text, const char *filename, struct mmkit_scenario **out,
			 char *err, size_t errlen)
{
	struct scn_parser p = { .file = filename ? filename : "scenario", .err = err,
				.errlen = errlen };
	const char *s = text;
	char *line;
	int ret = 0;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	p.sc = calloc(1, sizeof(*p.sc));
	line = malloc(SCN_MAX_LINE + 1);
	if (!p.sc || !line || !(p.sc->filename = strdup(p.file))) {
		free(line);
		mmkit_scenario_free(p.sc);
		snprintf(err, errlen, "%s: out of memory", p.file);
		return -ENOMEM;
	}
	while (*s && !ret) {
		size_t len = strcspn(s, "\n");

		p.line++;
		if (len > SCN_MAX_LINE) {
			ret = scn_parse_error(err, errlen, p.file, p.line, SCN_MAX_LINE + 1,
					      "line longer than %d bytes", SCN_MAX_LINE);
			break;
		}
		memcpy(line, s, len);
		line[len] = '\0';
		if (memchr(s, '\0', len))
			ret = scn_parse_error(err, errlen, p.file, p.line, 1, "NUL byte in line");
		else
			ret = parse_line(&p, line);
		s += len + (s[len] == '\n');
	}
	free(line);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "%s:%d: out of memory", p.file, p.line);
		mmkit_scenario_free(p.sc);
		return ret;
	}
	*out = p.sc;
	return 0;
}

int mmkit_scenario_load(const char *path, struct mmkit_scenario **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0;
	int ret;

	*out = NULL;
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nt = realloc(text, cap = cap ? 2 * cap : 8192);

			if (!nt) {
				free(text);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			text = nt;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	if (ret) {
		free(text);
		snprintf(err, errlen, "%s: read error", path);
		return ret;
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		free(text);
		snprintf(err, errlen, "%s: NUL byte in file", path);
		return -EINVAL;
	}
	ret = mmkit_scenario_parse(text, path, out, err, errlen);
	free(text);
	return ret;
}

void mmkit_scenario_free(struct mmkit_scenario *sc)
{
	if (!sc)
		return;
	for (int i = 0; i < sc->nr_cmds; i++) {
		free_args(sc->cmds[i].arg, sc->cmds[i].nargs);
		free(sc->cmds[i].src);
	}
	for (int i = 0; i < sc->nr_vars; i++)
		free(sc->var_names[i]);
	free(sc->cmds);
	free(sc->filename);
	free(sc);
}

int mmkit_scenario_nr_commands(const struct mmkit_scenario *sc)
{
	return sc->nr_cmds;
}

/**
 * scn_lookup_op() - the op named @name
 * @name: the command word
 * @op: receives the op
 *
 * Returns 0, or -ENOENT for an unknown command.
 */
int scn_lookup_op(const char *name, const struct scn_op **op)
{
	for (int i = 0; i < scn_nr_ops; i++)
		if (!strcmp(scn_ops[i].name, name)) {
			*op = &scn_ops[i];
			return 0;
		}
	return -ENOENT;
}
