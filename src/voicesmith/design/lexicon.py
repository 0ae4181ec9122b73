"""The words a voice prompt is made of, and what each one asks of the voice.

Each row is ``"word|synonym|multi word phrase": "effects"``. Effects are a
small language so the table stays readable:

* ``pitch=-1`` an explicit push on an axis (about -2..2; 1 = "deep", "fast");
* ``pace~-0.3`` an *implied* push: used only when nothing in the prompt
  addresses that axis explicitly ("calm" slows a voice a little unless the
  prompt also says "fast");
* ``gender=male`` an explicit gender, ``gender~male`` an implied one (weaker);
* ``age=elderly``, ``accent=british``;
* ``emotion:calm``, ``timbre:husky``, ``style:narrator`` labels reported back.

Axes: pitch (+ higher), pace (+ faster), energy (+ livelier), brightness
(+ brighter, - darker/warmer), clarity (+ clear/smooth, - husky/breathy/raspy),
expressiveness (+ animated, wider pitch range; - monotone).
"""

from __future__ import annotations

from dataclasses import dataclass

AXES = ("pitch", "pace", "energy", "brightness", "clarity", "expressiveness")
GENDERS = ("female", "male", "neutral")
AGES = ("child", "teen", "young", "adult", "middle-aged", "elderly")


@dataclass(frozen=True)
class Effect:
    """One thing a word asks for."""

    kind: str  # an axis, "gender", "age", "accent", "emotion", "timbre", "style"
    value: float | str
    implied: bool = False


TRAIT_WORDS: dict[str, str] = {
    # ---- gender
    "female|woman|women|lady|ladies|girl|gal|she|her|hers|herself|feminine|mother|mom|mum|"
    "mommy|sister|daughter|wife|queen|princess|actress|waitress|"
    "aunt|businesswoman|heroine|madam|mujer|femenina|femenino|femme|féminine|"
    "donna|femminile|mulher|feminina": "gender=female",
    "male|man|men|guy|gentleman|gentlemen|boy|dude|bloke|fellow|chap|he|him|his|himself|"
    "masculine|father|dad|daddy|brother|son|husband|king|prince|actor|"
    "uncle|businessman|hero|sir|lad|hombre|masculina|masculino|homme|masculin|uomo|"
    "maschile|homem": "gender=male",
    "androgynous|gender neutral|neutral gender|nonbinary|non binary|genderless|unisex|"
    "agender|ambiguous gender|enby": "gender=neutral",
    # voice parts imply a gender and a register
    "baritone": "gender~male pitch=-0.8", "bass|bass voice": "gender~male pitch=-1.3",
    "tenor": "gender~male pitch=0.4", "countertenor|falsetto": "pitch=1.5",
    "soprano": "gender~female pitch=1", "mezzo|mezzo soprano": "gender~female pitch=0",
    "alto|contralto": "gender~female pitch=-0.6",
    # ---- age (and what age implies)
    "child|kid|toddler|childlike|childish|young child": "age=child pitch~1.2",
    "little girl": "age=child gender=female pitch~1.2",
    "little boy": "age=child gender=male pitch~1.2",
    "teen|teenager|teenage|adolescent|teenaged": "age=teen pitch~0.4 energy~0.3",
    "young|youthful|younger|young adult|college student|student": "age=young pitch~0.2",
    "adult|grown up|grown": "age=adult",
    "mature|middle aged|middleaged": "age=middle-aged pitch~-0.2",
    "old|elderly|aged|senior|older|aging|ageing|ancient|wizened|pensioner|geriatric":
        "age=elderly pace~-0.4 clarity~-0.4",
    "old man|grandfather|grandpa|granddad|grandfatherly":
        "age=elderly gender=male pace~-0.4 clarity~-0.4",
    "old woman|old lady|grandmother|granny|grandma|grandmotherly":
        "age=elderly gender=female pace~-0.4 clarity~-0.4",
    # ---- pitch
    "deep|low|lower|deeper|low pitched|lower pitched|deep voiced|grave|profunda|profundo|"
    "profonde|profonda|basso|baja|bajo": "pitch=-1",
    "booming|thunderous|rumbling": "pitch=-1 energy=0.6",
    "gravelly|growly|growling|gruff": "pitch=-0.7 clarity=-1 timbre:gravelly",
    "high|higher|high pitched|higher pitched|aguda|agudo|aiguë|aigu|acuta|acuto|alta":
        "pitch=1",
    "squeaky|piping|chirpy": "pitch=1.5 brightness~0.5",
    "shrill|piercing": "pitch=1.2 brightness=0.8",
    "light": "pitch=0.5 brightness~0.3",
    "medium pitch|mid pitch|mid range|midrange|average pitch|moderate pitch|normal pitch":
        "pitch=0",
    # ---- pace
    "slow|slowly|slower|unhurried|leisurely|measured|deliberate|drawling|drawl|languid|"
    "unrushed|slow paced|slow talking|slow speaking|takes his time|takes her time|"
    "taking his time|taking her time|lento|lenta|lent|lente|lentamente|devagar": "pace=-1",
    "relaxed pace|easy pace|gentle pace|calm pace": "pace=-1",
    "sluggish|plodding|lethargic": "pace=-1.3 energy=-0.7",
    "fast|quick|quickly|faster|rapid|rapidly|brisk|briskly|speedy|hurried|rushed|swift|swiftly|"
    "fast paced|fast talking|quick talking|rapid fire|snappy|zippy|rápido|rápida|rapide|"
    "veloce|rapido|rapida|depressa": "pace=1",
    "energetic pace|lively pace|brisk pace|upbeat pace|quick pace": "pace=1",
    "normal pace|moderate pace|medium pace|average pace|steady pace|normal speed": "pace=0",
    # ---- energy
    "energetic|lively|upbeat|enthusiastic|peppy|bubbly|vibrant|spirited|vivacious|high energy|"
    "bouncy|perky|zesty|dynamic": "energy=1 expressiveness~0.6 pace~0.3",
    "calm|relaxed|laid back|laidback|mellow|serene|tranquil|placid|chill|sedate|composed|"
    "unflappable|low energy": "energy=-1 expressiveness~-0.5 pace~-0.3 emotion:calm",
    "soothing|gentle|tender|comforting|reassuring|nurturing|caring|motherly|fatherly":
        "energy=-0.6 brightness~-0.3 pace~-0.3 emotion:soothing",
    "loud|powerful|strong|big|projecting|commanding presence": "energy=0.7 clarity~0.3",
    "soft|quiet|softly|soft spoken|softspoken|subdued|hushed":
        "energy=-0.6 brightness~-0.3 clarity~-0.2",
    "tired|sleepy|weary|drowsy|exhausted|bored|lazy":
        "energy=-1 expressiveness~-0.8 pace~-0.5 emotion:tired",
    # ---- emotion and manner
    "warm|warmly|warmth|cozy|homely": "emotion:warm brightness~-0.5 energy~-0.2",
    "cheerful|happy|joyful|sunny|jolly|jovial|merry|smiling|gleeful|delighted|optimistic":
        "emotion:cheerful energy=0.7 expressiveness~0.7 pitch~0.3",
    "excited|thrilled|ecstatic|exuberant|hyped|eager|animated":
        "emotion:excited energy=1.2 expressiveness~1 pace~0.4 pitch~0.3",
    "serious|stern|grave tone|solemn|formal|professional|businesslike|no nonsense|earnest|"
        "sober|severe": "emotion:serious expressiveness~-0.5 pitch~-0.3 pace~-0.2",
    "sad|melancholy|melancholic|somber|sombre|sorrowful|gloomy|mournful|depressed|tearful|"
        "downcast|wistful|heartbroken|sadly": "emotion:sad energy=-0.8 pace~-0.5 pitch~-0.3 "
        "expressiveness~-0.5",
    "authoritative|commanding|confident|assertive|bold|decisive|dominant|firm|self assured|"
        "imposing|powerful presence": "emotion:authoritative pitch~-0.4 energy~0.3 clarity~0.3 "
        "pace~-0.2",
    "friendly|kind|pleasant|approachable|welcoming|inviting|amiable|affable|personable|nice|"
        "sweet|charming|likeable|likable": "emotion:friendly expressiveness~0.3 brightness~0.2",
    "angry|furious|irritated|annoyed|aggressive|hostile|enraged|mad":
        "emotion:angry energy=1 expressiveness~0.5 clarity~-0.5",
    "intense|fierce|forceful|punchy|gripping": "emotion:intense energy=1 expressiveness~0.5",
    "shouting|yelling|screaming|shouty": "energy=1.5 expressiveness~0.8",
    "excitement|enthusiasm|energy|gusto|vigor|vigour|zeal|passion|joy":
        "emotion:excited energy=1 expressiveness~0.6",
    "groggy|woke up|just woke up|half asleep|yawning": "emotion:tired energy=-1 pace~-0.5 "
        "clarity~-0.4",
    "playful|mischievous|cheeky|quirky|whimsical|impish|teasing|silly|goofy|fun|funny":
        "emotion:playful energy=0.5 expressiveness~0.8 pitch~0.3",
    "mysterious|ominous|sinister|menacing|eerie|spooky|creepy|villainous|brooding|haunting":
        "emotion:mysterious pitch~-0.5 pace~-0.4 brightness~-0.5",
    "nervous|anxious|shy|timid|hesitant|meek|insecure|worried|uneasy":
        "emotion:nervous energy=-0.3 pitch~0.3",
    "seductive|sultry|sensual|flirty|flirtatious|romantic|alluring|intimate":
        "emotion:sultry clarity~-0.6 pace~-0.4 pitch~-0.3",
    "sarcastic|dry|deadpan|wry|ironic": "emotion:dry expressiveness=-0.7",
    "dramatic|theatrical|expressive|emotive|passionate|emotional|intonated|melodic|musical|"
        "sing song|singsong": "emotion:expressive expressiveness=1",
    "monotone|monotonous|flat|robotic|unemotional|emotionless|expressionless|even toned":
        "expressiveness=-1.2 emotion:flat",
    "neutral|matter of fact|plain|even|straightforward|unemotional tone":
        "emotion:neutral expressiveness~-0.3",
    "wise|thoughtful|contemplative|reflective|pensive|philosophical|sage":
        "emotion:thoughtful pace~-0.4 energy~-0.3",
    "whisper|whispering|whispered|whispery": "timbre:whispery clarity=-1.2 energy=-0.8",
    "sophisticated|elegant|refined|cultured|posh|classy|aristocratic|regal|dignified":
        "emotion:refined clarity~0.3 pace~-0.2",
    # ---- timbre
    "husky": "timbre:husky clarity=-1 pitch~-0.3",
    "raspy|rasping|hoarse|rough|gritty|scratchy|croaky|grainy|throaty|smoky|smokey|whiskey|"
        "whisky|crackly|craggy|weathered": "timbre:raspy clarity=-1",
    "breathy|airy|wispy|feathery": "timbre:breathy clarity=-0.9",
    "smooth|silky|velvety|velvet|buttery|honeyed|polished|pure|clean|sleek|liquid":
        "timbre:smooth clarity=0.8",
    "clear|crisp|articulate|precise|enunciated|crystal clear|well spoken|well enunciated|"
        "distinct|sharp": "timbre:clear clarity=0.8 brightness~0.5",
    "bright|brilliant|sparkling|shiny|radiant|vivid|ringing|bell like|tinny|thin|nasal|nasally|"
        "twangy": "timbre:bright brightness=1",
    "dark|rich|full|full bodied|round|rounded|mellow tone|muffled|heavy|thick|chocolatey|"
        "dusky|earthy|hearty": "timbre:dark brightness=-1",
    "resonant|sonorous|rich toned|vibrant tone|chesty|full voiced": "timbre:resonant "
        "brightness=-0.5 clarity=0.3 pitch~-0.3",
    # ---- roles: a register and a manner, all implied
    "narrator|narration|storyteller|audiobook|audiobooks|documentary|reader": "style:narrator "
        "pace~-0.3 clarity~0.4",
    "announcer|presenter|host|radio|dj|broadcaster|commentator|sportscaster|emcee|mc":
        "style:announcer energy~0.6 clarity~0.5 expressiveness~0.4",
    "newsreader|news anchor|anchor|anchorman|anchorwoman|newscaster|reporter|journalist":
        "style:newsreader clarity~0.6 expressiveness~-0.3",
    "teacher|professor|lecturer|tutor|instructor|coach": "style:teacher clarity~0.5 pace~-0.2",
    "assistant|receptionist|customer service|support agent|operator|concierge|agent":
        "style:assistant clarity~0.5 emotion:friendly",
    "villain|monster|demon|ogre|troll|giant": "style:villain pitch~-0.8 brightness~-0.5",
    "pirate|sailor|cowboy|viking|warrior|soldier|sergeant|captain|biker|lumberjack":
        "style:rugged clarity~-0.5 pitch~-0.4 energy~0.4",
    "podcast|podcaster|youtuber|vlogger|streamer|influencer": "style:host energy~0.4 "
        "expressiveness~0.4",
    "story|stories|bedtime story|bedtime stories|fairy tale|fairytale|storytelling":
        "style:storyteller expressiveness~0.4 pace~-0.3",
    "meditation|mindfulness|yoga|asmr|sleep|hypnotic|hypnosis": "style:meditation "
        "pace~-0.6 energy~-0.8 expressiveness~-0.4",
    "movie trailer|trailer|epic|cinematic|blockbuster": "style:trailer pitch~-0.6 "
        "expressiveness~0.6",
    "sports": "style:announcer energy~0.6 clarity~0.5 expressiveness~0.4",
    "santa|santa claus|father christmas": "style:santa gender~male age=elderly pitch~-0.5 "
        "emotion:cheerful",
    # ---- accents and languages
    "american|us accent|usa|u s|general american|new york|new yorker|texan|southern|"
        "californian|midwestern|american english": "accent=american",
    "canadian": "accent=american-approx",
    "british|uk|u k|britain|england|english accent|london|londoner|cockney|rp|"
        "received pronunciation|queens english|oxford|british english|brit": "accent=british",
    "englishman|englishmen": "accent=british gender=male",
    "englishwoman|englishwomen": "accent=british gender=female",
    "scottish|scots|irish|welsh|australian|aussie|new zealand|kiwi|south african":
        "accent=british-approx",
    "spanish|español|espanol|mexican|castilian|latino|latina|hispanic|spanish speaking":
        "accent=spanish",
    "french|français|francais|parisian": "accent=french",
    "hindi|indian": "accent=hindi",
    "italian|italiano": "accent=italian",
    "japanese|nihongo": "accent=japanese",
    "portuguese|brazilian|português|portugues": "accent=portuguese",
    "chinese|mandarin|putonghua": "accent=chinese",
    "german|russian|korean|arabic|dutch|swedish|polish|turkish|greek|vietnamese|thai|"
        "cantonese": "accent=unsupported",
    # Hindi (Devanagari is written with spaces, so these are ordinary words)
    "महिला|औरत|स्त्री": "gender=female", "पुरुष|आदमी": "gender=male",
    "गहरी|गहरा|भारी": "pitch=-1", "ऊँची|ऊंची|पतली": "pitch=1",
    "धीमी|धीमा|धीरे": "pace=-1", "तेज़|तेज": "pace=1",
}

# Chinese and Japanese are written without spaces: matched as substrings.
CJK_WORDS: dict[str, str] = {
    "女性": "gender=female", "女声": "gender=female", "女の人": "gender=female",
    "女人": "gender=female", "男性": "gender=male", "男声": "gender=male", "男の人": "gender=male",
    "男人": "gender=male", "低い": "pitch=-1", "低沉": "pitch=-1", "低音": "pitch=-1",
    "深沉": "pitch=-1", "高い": "pitch=1", "高音": "pitch=1", "尖细": "pitch=1",
    "ゆっくり": "pace=-1", "遅い": "pace=-1", "缓慢": "pace=-1", "慢速": "pace=-1",
    "语速慢": "pace=-1",
    "速い": "pace=1", "早口": "pace=1", "快速": "pace=1", "语速快": "pace=1",
}

# Multipliers for the next trait word. Several stack ("very very deep").
INTENSIFIERS: dict[str, float] = {
    "very": 1.5, "really": 1.5, "so": 1.5, "super": 1.75, "extremely": 2.0, "incredibly": 2.0,
    "exceptionally": 2.0, "remarkably": 1.75, "especially": 1.5, "highly": 1.5, "deeply": 1.5,
    "particularly": 1.5, "quite": 1.25, "pretty": 1.25, "fairly": 0.8, "rather": 1.0,
    "somewhat": 0.6, "slightly": 0.5, "mildly": 0.5, "a bit": 0.5, "a little": 0.5,
    "a little bit": 0.4, "a touch": 0.4, "a tad": 0.4, "kind of": 0.6, "sort of": 0.6,
    "kinda": 0.6, "sorta": 0.6, "moderately": 0.7, "barely": 0.25, "much": 1.5, "far": 1.5,
    "way": 1.75, "a lot": 1.5, "considerably": 1.5, "noticeably": 1.25, "significantly": 1.5,
    "ultra": 2.0, "too": 1.25, "overly": 1.25, "more": 1.25, "most": 1.5, "bit": 0.5,
    "muy": 1.5, "très": 1.5, "tres": 1.5, "molto": 1.5, "muito": 1.5, "un poco": 0.5,
    "un peu": 0.5, "un po": 0.5, "um pouco": 0.5, "poco": 0.5, "slight": 0.5, "subtle": 0.5,
    "faint": 0.4, "hint of": 0.4, "touch of": 0.4, "bit of": 0.5, "बहुत": 1.5, "थोड़ी": 0.5,
    "थोड़ा": 0.5,
}
NEGATIONS = frozenset(
    "not no never without isnt arent dont doesnt shouldnt "
    "wasnt nothing neither nor non hardly avoid lacking less ne pas nunca sin sans "
    "senza nem não nao नहीं न".split()
)
# Words that end the reach of a modifier or a negation.
BOUNDARIES = frozenset("but yet though although however whereas while instead rather_than".split())

# Words that carry no trait and are not worth reporting as ignored.
STOPWORDS = frozenset(
    "a an the and or of in on at to for from with by as is are was be been being am it its "
    "this that these those who whom whose which what when where how than then there their "
    "they them i me my we our you your one ones someone somebody person people voice voices "
    "voiced sound sounds sounding speaker speaks speak speaking talks talking talk tone tones "
    "toned delivery accent accented like has have having some any kind sort type bit little "
    "lot just also quite each every slightly touch tad pitch pitched paced pace tempo speed "
    "register timbre style quality feel feeling vibe manner way character characters someone's "
    "somewhat s d ll ve re m y una un une el la le les de del des una con avec con com uma um "
    "voz voix voce read reads reading says said saying can could would should will might may "
    "please make create give want need generate design designed into about around over under "
    "perfect ideal suitable great good guide "
    "mid their whose using use used english language languages male's female's".split()
)
