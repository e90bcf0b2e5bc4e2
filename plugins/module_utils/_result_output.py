# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""Writing a large module result: the same text as ansible-core, without its cost.

ansible-core first copies the whole result to strip no_log values out of it (``remove_values``:
one Python call per value, 2.1 million for a listing of 100,000 restore tasks), then writes it with
``print(json.dumps(result))``: the whole JSON text, a copy with a newline in front and its encoded
bytes exist at once. Here the long lists of a result are held back from that copy and written a
slice at a time, with ansible-core's encoder (or the standard library's, which writes the same text
faster, where a slice holds only what json.loads returns); a slice goes through ``remove_values``
only when a no_log value could be in it, which its JSON text shows (see ``secret_forms``).
"""

from __future__ import annotations

import json

SLICE = 1000
_SCALARS = frozenset((str, int, float, bool, type(None)))

# How Python spells the floats JSON writes as Infinity, -Infinity and NaN: remove_values looks for
# no_log values in str(number), which for these is not in the JSON text.
_NON_FINITE = ("inf", "-inf", "nan")


def long_lists(result, slice_size=SLICE):
    """The keys of ``result`` whose values are lists longer than one slice; none unless ``result``
    is a dict of string keys (anything else is written the ordinary way)."""
    # Exact types: a subclass may serialise differently, and is left to ansible-core.
    if type(result) is not dict or not all(type(key) is str for key in result):  # pylint: disable=unidiomatic-typecheck
        return []
    return [key for key, value in result.items() if type(value) is list and len(value) > slice_size]  # pylint: disable=unidiomatic-typecheck


def secret_forms(no_log_strings, encoder):
    """What to look for in a slice's JSON text: each no_log string as itself and as the encoder
    escapes it. JSON escapes a string character by character, so a string value that contains a
    no_log string contains its escaped form in the text, and a number whose str() contains one
    is written as that str(). None when the text cannot tell (a no_log string inside "inf" or
    "nan"): then every slice is scrubbed."""
    forms = set()
    for text in no_log_strings:
        if any(text in word for word in _NON_FINITE):
            return None
        forms.add(text)
        forms.add(encoder.encode(text)[1:-1])
    return forms


def plain_json(value):
    """True when ``value`` is made of dicts with string keys, lists, strings, numbers, booleans
    and None, exactly those types (what json.loads returns). ansible-core's encoder writes such a
    value as the standard library's does, only slower: it rebuilds every dict and list on the way."""
    stack = [value]
    scalars = _SCALARS
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key, member in item.items():
                if type(key) is not str:  # pylint: disable=unidiomatic-typecheck
                    return False
                if type(member) not in scalars:
                    stack.append(member)
        elif kind is list:
            stack.extend(member for member in item if type(member) not in scalars)
        elif kind not in scalars:
            return False
    return True


def _standard_twin(encoder):
    """A standard-library encoder with the same settings as ``encoder``."""
    return json.JSONEncoder(skipkeys=encoder.skipkeys, ensure_ascii=encoder.ensure_ascii,
                            check_circular=encoder.check_circular, allow_nan=encoder.allow_nan,
                            sort_keys=encoder.sort_keys, indent=encoder.indent,
                            separators=(encoder.item_separator, encoder.key_separator))


def iter_json(result, encoder_cls, slice_size=SLICE, scrub=None, unscrubbed=(), no_log_strings=()):
    """The pieces of ``json.dumps(result, cls=encoder_cls)``, in order; long lists a slice at a time.

    The long lists under the keys in ``unscrubbed`` have not been through ``scrub`` (ansible-core's
    remove_values with the module's no_log values) yet: a slice of one goes through it when one of
    ``no_log_strings`` may be in it, which gives the text ansible-core would have written.
    """
    encoder = encoder_cls()
    standard = _standard_twin(encoder)
    forms = secret_forms(no_log_strings, encoder) if unscrubbed else set()

    def encode(part):
        return (standard if plain_json(part) else encoder).encode(part)

    yield "{"
    for number, (key, value) in enumerate(result.items()):
        yield "%s%s: " % (", " if number else "", encoder.encode(key))
        if type(value) is not list or len(value) <= slice_size:  # pylint: disable=unidiomatic-typecheck
            yield encoder.encode(value)
            continue
        yield "["
        for start in range(0, len(value), slice_size):
            part = value[start:start + slice_size]
            text = encode(part)
            if key in unscrubbed and (forms is None or any(form in text for form in forms)):
                text = encode(scrub(part))
            # "[a, b, c]" without its brackets: the slices join with the list's own separator.
            yield "%s%s" % (", " if start else "", text[1:-1])
        yield "]"
    yield "}"
