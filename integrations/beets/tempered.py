"""Calibrated genres from Tempered for beets: `beet tempered [QUERY]`.

For each item the plugin asks a running `tempered serve` (its local HTTP API) for the calibrated genre
distribution, or, when no server answers, runs `tempered analyze --format json`. It stores what Tempered
found as flexible attributes and writes the genre field only where this plugin's configuration says so:

    tempered_genre          the genre as Tempered writes it (e.g. Hip-Hop)
    tempered_confidence     the calibrated confidence of that genre, 0..1
    tempered_distribution   the top five 'label=p' joined by ';' (as in the TEMPERED_DISTRIBUTION tag)
    tempered_model          model id@version and temperature, e.g. 'choi-gtzan@1.0.0 T=1.2687'
    tempered_written_genre  the genre this plugin last wrote (a different genre now means a person changed it)

Configuration (all optional):

    tempered:
      url: http://127.0.0.1:8737/
      token_file: ~/.tempered/serve.token
      command: tempered            # the fallback; [] or '' for none
      model: null                  # a model id, default the active one
      threshold: 0.5               # the genre is written only at or above this confidence
      genre: fill-empty            # keep (never), fill-empty (only items without a genre), replace
      timeout: 300                 # seconds per request
      batch: 16                    # items per request

Install by copying this file into a folder named in beets' `pluginpath` (or pointing `pluginpath` at this
folder) and adding `tempered` to `plugins`.
"""

import json
import os
import subprocess
import urllib.error
import urllib.request

from beets import ui
from beets.dbcore import types
from beets.plugins import BeetsPlugin
from beets.util import displayable_path, syspath

POLICIES = ('keep', 'fill-empty', 'replace')


class TemperedError(Exception):
    """Neither the service nor the fallback command could analyse the items."""


def genre_name(label):
    """The genre as Tempered writes it: its built-in names, else title case (the server sends genreName)."""
    if label.lower() == 'hiphop':
        return 'Hip-Hop'
    return ' '.join(w[:1].upper() + w[1:] for w in label.split(' '))


def distribution_text(dist):
    top = sorted(dist.items(), key=lambda kv: -(kv[1] or 0))[:5]
    return ';'.join('%s=%.4f' % (k, v or 0) for k, v in top)


class TemperedPlugin(BeetsPlugin):
    # Typed, so that queries such as tempered_confidence:..0.5 compare numbers.
    item_types = {'tempered_confidence': types.Float(4)}

    def __init__(self):
        super().__init__()
        self.config.add({
            'url': 'http://127.0.0.1:8737/',
            'token_file': os.path.join(os.environ.get('TEMPERED_HOME', '~/.tempered'), 'serve.token'),
            'command': 'tempered',
            'model': None,
            'threshold': 0.5,
            'genre': 'fill-empty',
            'timeout': 300,
            'batch': 16,
        })

    def commands(self):
        cmd = ui.Subcommand('tempered', help='calibrated genres from Tempered (flexible attributes; genre per config)')
        cmd.parser.add_option('-p', '--pretend', action='store_true', default=False,
                              help='show what would change, change nothing')
        cmd.parser.add_option('--threshold', type='float', default=None,
                              help='write the genre at or above this confidence (default: config, 0.5)')
        cmd.parser.add_option('--genre', choices=POLICIES, default=None,
                              help='keep, fill-empty or replace (default: config, fill-empty)')
        cmd.func = self.run
        return [cmd]

    # --- the command ----------------------------------------------------------------------------------------

    def run(self, lib, opts, args):
        threshold = opts.threshold if opts.threshold is not None else self.config['threshold'].as_number()
        policy = opts.genre or self.config['genre'].as_choice(POLICIES)
        if not 0 <= threshold <= 1:
            raise ui.UserError('tempered: threshold must be in [0, 1], not %s' % threshold)
        items = list(lib.items(ui.decargs(args)))
        if not items:
            self._log.info('no items match')
            return
        batch = max(1, self.config['batch'].get(int))
        changed = failed = 0
        for start in range(0, len(items), batch):
            chunk = items[start:start + batch]
            try:
                results = self.analyse([displayable_path(i.path) for i in chunk])
            except TemperedError as e:
                raise ui.UserError('tempered: %s' % e)
            for item, result in zip(chunk, results):
                if 'error' in result:
                    failed += 1
                    self._log.warning('{0}: {1}', displayable_path(item.path), result['error'])
                    continue
                if self.apply(item, result, threshold, policy, opts.pretend):
                    changed += 1
        ui.print_('tempered: %d item%s %s, %d failed' % (changed, '' if changed == 1 else 's',
                                                         'would change' if opts.pretend else 'changed', failed))

    def apply(self, item, result, threshold, policy, pretend):
        """Stores Tempered's attributes and, where the policy allows, the genre; returns whether anything changed."""
        name = result.get('genreName') or genre_name(result['genre'])
        confidence = float(result['confidence'])
        attributes = {
            'tempered_genre': name,
            'tempered_confidence': round(confidence, 4),
            'tempered_distribution': distribution_text(result.get('distribution', {})),
            'tempered_model': result.get('attribution') or '%s T=%.4f' % (result['model'], result['temperature']),
        }
        genre_now = item.get('genre', '') or ''
        written_before = item.get('tempered_written_genre', None)
        new_genre = None
        why = ''
        if confidence < threshold:
            why = 'below the threshold %.2f' % threshold
        elif policy == 'keep':
            why = 'genre policy keep'
        elif policy == 'fill-empty' and genre_now:
            why = 'keeps its genre %r' % genre_now
        elif policy == 'replace' and genre_now and written_before is not None and genre_now != written_before:
            # Someone changed the genre after we wrote ours: theirs wins, whatever the policy says.
            why = 'genre %r was changed by someone since Tempered wrote %r' % (genre_now, written_before)
        elif genre_now != name:
            new_genre = name
        changes = {k: v for k, v in attributes.items() if item.get(k, None) != v}
        if new_genre is not None:
            changes['genre'] = new_genre
            changes['tempered_written_genre'] = new_genre
        label = displayable_path(item.path)
        if not changes:
            self._log.debug('{0}: unchanged', label)
            return False
        if new_genre is not None:
            text = 'genre %r -> %r' % (genre_now, new_genre)
        else:
            text = 'genre %r kept (%s)' % (genre_now, why) if why else 'genre %r' % genre_now
        ui.print_('%s: %s; %s %.2f, %s' % (label, text, name, confidence, attributes['tempered_model']))
        if pretend:
            return True
        for k, v in changes.items():
            item[k] = v
        item.store()
        if new_genre is not None and ui.should_write():
            item.try_write()
        return True

    # --- asking Tempered --------------------------------------------------------------------------------------

    def analyse(self, paths):
        """One result per path, in order: the analysis, or {'error': ...}."""
        try:
            return self.ask_service(paths)
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            if isinstance(e, urllib.error.HTTPError):
                raise TemperedError(self.http_error(e))
            command = self.config['command'].as_str_seq()
            if not command:
                raise TemperedError('the service at %s does not answer (%s) and no command is configured'
                                    % (self.config['url'].get(str), e))
            self._log.info('the service at {0} does not answer ({1}); running {2} analyze',
                           self.config['url'].get(str), e, ' '.join(command))
            return self.run_command(command, paths)

    def ask_service(self, paths):
        url = self.config['url'].get(str).rstrip('/') + '/analyze'
        token_file = os.path.expanduser(self.config['token_file'].get(str))
        try:
            with open(token_file) as f:
                token = f.read().strip()
        except OSError as e:
            # No token: no server started by this user is running. The fallback still can.
            raise ConnectionError('no token at %s (%s)' % (token_file, e.strerror))
        body = {'paths': [os.path.abspath(p) for p in paths]}
        model = self.config['model'].get()
        if model:
            body['model'] = model
        request = urllib.request.Request(url, data=json.dumps(body).encode('utf-8'), method='POST', headers={
            'Content-Type': 'application/json', 'X-Tempered-Token': token})
        with urllib.request.urlopen(request, timeout=self.config['timeout'].get(int)) as response:
            return json.load(response)['files']

    @staticmethod
    def http_error(e):
        try:
            detail = json.load(e).get('message', '')
        except ValueError:
            detail = ''
        return 'the service refused the request: %s %s' % (e.code, detail or e.reason)

    def run_command(self, command, paths):
        argv = list(command) + ['analyze', '--format', 'json']
        model = self.config['model'].get()
        if model:
            argv += ['--model', model]
        argv += [syspath(p) for p in paths]
        try:
            done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=self.config['timeout'].get(int) * len(paths))
        except (OSError, subprocess.TimeoutExpired) as e:
            raise TemperedError('cannot run %s: %s' % (argv[0], e))
        # Exit 1 means some files failed; their entries carry the error.
        if done.returncode not in (0, 1):
            raise TemperedError('%s analyze failed (exit %d): %s' % (argv[0], done.returncode,
                                                                    done.stderr.decode('utf-8', 'replace').strip()))
        try:
            return json.loads(done.stdout.decode('utf-8'))['files']
        except (ValueError, KeyError) as e:
            raise TemperedError('%s analyze printed no JSON result: %s' % (argv[0], e))
