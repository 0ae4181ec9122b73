"""Voice design: a description in plain words becomes a concrete Kokoro voice.

* ``traits.parse_prompt(prompt) -> VoiceTraits``: what the words ask for, in
  any of the prompt languages: ``vocabulary/`` the words and personas (data
  files), ``lexicon.py`` what their effects mean, ``tokens.py`` cutting text
  into words, ``spelling.py`` misspellings, ``reading.py`` the reading,
  ``ages.py`` ages in numbers, ``mentions.py`` what was mentioned.
* ``voice_builder.design_voice(prompt, language, params, stock_voices, previous)
  -> DesignedVoice``: the voice, its effective language, the traits and a
  JSON recipe of how it was made (``sampling.py`` the sampling parameters,
  ``steering.py`` targets and steering, ``repetition.py`` the repetition penalty).
* ``catalog.json`` (``catalog.py``): the stock voices' measured attributes,
  built by ``scripts/build_voice_catalog.py``; ``directions.py``: attribute
  directions in style space fitted over it.

Nothing here touches HTTP or the database.
"""
