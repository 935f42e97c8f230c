"""The layout normaliser: the blocks a person sees, whatever tool made the dump."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.cleaning.layout import Block, blocks, detect, tidy

PARAGRAPHS = [
    "The old harbour bridge will close to all traffic from Monday for three weeks of "
    "repairs, the council said on Tuesday, after engineers found that two of its eight "
    "bearings had worn far faster than expected since the last inspection.",
    "Drivers will be sent along the ring road instead, which the council expects to add "
    "about ten minutes to most journeys across the town at the busiest times of the day.",
    "Pedestrians and cyclists will still be able to cross on the footway, which is carried "
    "on a separate deck and was not affected by the wear found in the spring.",
]


def wrap(paragraph: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(paragraph, width, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False)


# The paragraphs as a text browser wraps them at 70 columns, a blank line between.
ARTICLE = [line for paragraph in PARAGRAPHS for line in (*wrap(paragraph, 70), "")]


def texts(found: list[Block]) -> list[str]:
    return [block.text for block in found]


def test_a_dump_with_one_block_per_line_keeps_its_lines() -> None:
    lines = ["Home", "News", "  Harbour bridge to close  ", "", *PARAGRAPHS, "Share", "Email"]
    assert detect(lines).plain
    assert texts(blocks(lines)) == [tidy(line) for line in lines if line.strip()]
    found = blocks(lines)
    assert [(b.first, b.last) for b in found] == [
        (i, i) for i, line in enumerate(lines) if line.strip()
    ]


def test_hard_wrapped_paragraphs_are_joined_again() -> None:
    lines = ["Harbour bridge to close", ""]
    for paragraph in PARAGRAPHS:
        lines += [*wrap(paragraph, 72), ""]
    layout = detect(lines)
    assert layout.width is not None and 66 <= layout.width <= 72
    assert texts(blocks(lines)) == ["Harbour bridge to close", *PARAGRAPHS]


def test_paragraphs_without_blank_lines_between_them_are_told_apart() -> None:
    # As Debian's html2text writes them: a paragraph ends where a line stops short (the
    # next word would have fitted on it).
    lines = ["Harbour bridge to close"]
    for paragraph in PARAGRAPHS:
        lines += wrap(paragraph, 66)
    assert texts(blocks(lines)) == ["Harbour bridge to close", *PARAGRAPHS]


def test_indented_prose_and_headings_at_the_margin() -> None:
    # lynx indents paragraphs three columns and puts headings at the margin.
    lines = ["Harbour bridge to close", ""]
    for paragraph in PARAGRAPHS:
        lines += [*wrap(paragraph, 76, "   "), ""]
    found = blocks(lines)
    assert detect(lines).indent == 3
    assert texts(found) == ["Harbour bridge to close", *PARAGRAPHS]
    assert found[0].heading and not found[1].heading
    assert (found[1].first, found[1].last) == (2, 2 + len(wrap(PARAGRAPHS[0], 76, "   ")) - 1)


def test_hyphenation_is_mended_only_for_words_the_dump_also_has_whole() -> None:
    lines = [
        "It was an extraordinary week for the council, which met on five",
        "days in a row and spent most of them on the harbour bridge and",
        "its worn and rusted bearings, which were not at all what anybody",
        "had hoped to find there. It was, the mayor said, an extra-",
        "ordinary mess, and in the end a rather good example of the well-",
        "known problem of roads that nobody looks after until they break.",
        "",
        *wrap(PARAGRAPHS[1], 64),
    ]
    assert detect(lines).width == 64
    first = texts(blocks(lines))[0]
    assert "an extraordinary mess" in first
    assert "the well-known problem" in first


def test_bullets_numbers_and_nested_items() -> None:
    lines = [
        "   What a beginner needs to keep bees in a small garden, according to the keepers who",
        "   answered our survey last spring, in the order they were most often named:",
        "",
        "     * a hive with frames and a roof",
        "          o a smoker",
        "          o a hive tool",
        "     * a veil and a pair of gloves that reach well above the wrists, because the bees",
        "       find any gap between a glove and a sleeve",
        "",
        "    1. Put the hive where the entrance faces away from paths and from the fences of",
        "       the neighbours, so that the bees rise quickly over head height.",
        "    2. Wait.",
        "",
        "   Neighbours are rarely a problem once the hive is placed well, and many of them come",
        "   to like the bees and the honey they are given at the end of the summer.",
    ]
    found = blocks(lines)
    assert texts(found)[1:7] == [
        "• a hive with frames and a roof",
        "• a smoker",
        "• a hive tool",
        "• a veil and a pair of gloves that reach well above the wrists, because the bees "
        "find any gap between a glove and a sleeve",
        "1. Put the hive where the entrance faces away from paths and from the fences of the "
        "neighbours, so that the bees rise quickly over head height.",
        "2. Wait.",
    ]
    assert all(block.item for block in found[1:7])
    assert not found[0].item and not found[-1].item


def test_an_item_wrapped_back_to_the_margin_stays_one_item() -> None:
    # lynx without margins wraps an item's text back to column 0; the next item, and a
    # paragraph after the list, still stand apart.
    first = ("Harbour bridge to close for three weeks of bearing repairs after engineers "
             "found that two of its eight bearings had worn far faster than expected")
    second = ("Council approves the new budget for two primary schools in the north of the "
              "town after a long debate in the chamber on Tuesday evening")
    lines = [*wrap(PARAGRAPHS[0], 64), ""]
    for item in (first, second):
        wrapped = wrap(item, 60)
        lines += ["  * " + wrapped[0], *wrap(" ".join(wrapped[1:]), 64)]
    lines += ["", *wrap(PARAGRAPHS[1], 64)]
    assert detect(lines).width == 64
    found = blocks(lines)
    assert texts(found) == [PARAGRAPHS[0], "• " + first, "• " + second, PARAGRAPHS[1]]
    assert [block.item for block in found] == [False, True, True, False]


def test_a_word_that_looks_like_a_bullet_in_wrapped_prose_is_not_one() -> None:
    lines = [
        "   Segundo o relatório publicado nesta terça-feira pelo governo do estado, a obra da",
        "   o ponte vai custar mais do que o previsto e só deve ficar pronta no fim do ano que",
        "   vem, depois de uma série de atrasos causados pelas chuvas e pela falta de peças",
        "   que precisaram ser trazidas de fora do país por causa do tamanho da estrutura.",
        "",
        "   A prefeitura disse que vai pedir explicações à empresa responsável pela obra e que",
        "   não descarta aplicar uma multa se os novos prazos não forem cumpridos por ela, o",
        "   que já aconteceu em outras obras da cidade nos últimos anos, segundo a secretaria.",
    ]
    found = blocks(lines)
    assert detect(lines).width is not None
    assert len(found) == 2 and not found[0].item
    assert "da o ponte" in found[0].text


def test_form_widgets_are_taken_out() -> None:
    lines = [
        "[                    ] [Go]",
        "____________________ Search (BUTTON)",
        "[ ]Remember me",
        "( ) Daily (*) Weekly",
        "[_____________]",
        *ARTICLE,
    ]
    found = texts(blocks(lines))
    assert found[0] == "[Go]"
    assert found[1:4] == ["Search", "Remember me", "Daily Weekly"]
    assert found[4:] == PARAGRAPHS


def test_a_box_written_in_prose_is_kept() -> None:
    prose = "Tick the box marked [x] on the form and post it back to the council by Friday."
    found = texts(blocks(["[x] Remember me", prose, "Send reminders ( )"]))
    assert found == ["Remember me", prose, "Send reminders"]


def test_link_numbers_and_the_reference_list_are_taken_out() -> None:
    lines = [
        "   [1]Home [2]News [3]Sport",
        "",
        *wrap("The bridge will close on Monday, [4]the council said, for repairs to two of "
              "its bearings, which [5]engineers found worn in the spring.", 70, "   "),
        "",
        *wrap(PARAGRAPHS[1], 70, "   "),
        "",
        "References",
        "",
        "   1. https://example.com/",
        "   2. https://example.com/news/",
        "   3. https://example.com/sport/",
        "   4. https://example.com/council/",
        "   5. https://example.com/engineers/",
    ]
    layout = detect(lines)
    assert layout.link_numbers
    found = blocks(lines)
    assert texts(found) == [
        "Home News Sport",
        "The bridge will close on Monday, the council said, for repairs to two of its "
        "bearings, which engineers found worn in the spring.",
        PARAGRAPHS[1],
    ]
    assert found[0].links == 3 and found[1].links == 2 and found[2].links == 0


def test_a_list_of_numbered_links_ending_near_the_wrap_column_stays_a_list() -> None:
    # Lines of a link list can end where a wrapped paragraph's lines do; each opens with
    # its link number, so each is an entry of its own, not a line of one paragraph.
    story = " ".join(PARAGRAPHS[:2])
    links = [f"   [{n}]Another story about the harbour and its bridges, number {n:02d} here"
             for n in range(1, 13)]
    lines = [*wrap(story, 72, "   "), "", *links, "", *wrap(story, 72, "   ")]
    assert detect(lines).width is not None
    found = texts(blocks(lines))
    assert found == [story, *(line.split("]", 1)[1] for line in links), story]


def test_a_quote_mark_alone_under_a_numbered_link_line_of_a_markdown_dump() -> None:
    # elinks wraps a breadcrumb's ">" onto a line of its own; in a dump that also reads as
    # Markdown that line is an empty quote, which must end the entry, not break the reader.
    story = " ".join(PARAGRAPHS[:2])
    lines = ["   [1]Home  [2]News  [3]Sport  [4]Weather", "", *wrap(story, 74, "   "), "",
             "   Read the **full report** at [the council](https://example.org/report) and",
             "   [the minutes](https://example.org/minutes) of the meeting, with [5]**more**.",
             "",
             "   [6]Home  [7]Forums > [8]Business & Marketing > [9]Social Networks and more",
             "   >",
             "   Log in to view your stats", "", *wrap(story, 74, "   ")]
    layout = detect(lines)
    assert layout.markdown and layout.link_numbers and layout.width is not None
    found = texts(blocks(lines))
    assert "Home Forums > Business & Marketing > Social Networks and more" in found
    assert "Log in to view your stats" in found
    assert found.count(story) == 2


def test_citation_marks_are_not_link_numbers() -> None:
    lines = [
        "The bridge opened in 1901.[1] It was widened in 1955.[2]",
        "Its bearings were replaced in 1987.[3] They are now worn again.[4]",
        "The council will decide in May.[5]",
    ]
    assert not detect(lines).link_numbers
    assert texts(blocks(lines)) == lines


def test_markdown_is_read_as_the_text_it_marks_up() -> None:
    lines = [
        "# Harbour bridge to close",
        "",
        "  * [Home](https://example.com/)",
        "  * [News](https://example.com/news/ \"News\")",
        "",
        "![A worker under the bridge](https://example.com/bridge.jpg)",
        "",
        *wrap("The **old harbour bridge** will close from Monday, [the council said]"
              "(https://example.com/council/statement-about-the-bridge-repairs), for _three "
              "weeks_ of repairs to its worn `bearings`.", 72),
        "",
        "> Drivers will be sent along the ring road instead.",
        "",
        *ARTICLE[len(wrap(PARAGRAPHS[0], 70)) + 1 :],
        "| Day | Traffic |",
        "|---|---|",
        "| Monday | closed |",
        "",
        "[1]: https://example.com/footnote",
    ]
    assert detect(lines).markdown
    found = blocks(lines)
    assert texts(found) == [
        "Harbour bridge to close",
        "• Home",
        "• News",
        "The old harbour bridge will close from Monday, the council said, for three weeks "
        "of repairs to its worn bearings.",
        "Drivers will be sent along the ring road instead.",
        *PARAGRAPHS[1:],
        "Day Traffic",
        "Monday closed",
    ]
    assert found[0].heading
    assert found[1].item and found[1].links == 1
    assert found[3].links == 1


def test_a_link_wrapped_over_several_lines_loses_its_markup() -> None:
    # Converters wrap inside a link's text and break a long address at its hyphens; the
    # short line before a long address is not "full", so the wrap test alone misses it.
    lines = [
        "  * [Home](https://example.com/)",
        "  * [News](https://example.com/news/)",
        "  * [Sport](https://example.com/sport/)",
        "",
        "[Log",
        "In](https://example.com/auth/login?response_type=cookie&client_id=a-long-client-id)",
        "",
        "#### [Bridge repairs will take three weeks, the council",
        "says](https://example.com/news/bridge-repairs-will-take-three-weeks-",
        "the-council-",
        "says-in-its-statement)",
        "",
        *ARTICLE,
        "![Drivers on the ring road, which the council expects to be busy for the",
        "three weeks](https://example.com/images/ring-road-traffic-at-the-busiest-time.jpg)",
    ]
    assert detect(lines).markdown
    found = blocks(lines)
    assert texts(found) == [
        "• Home", "• News", "• Sport", "Log In",
        "Bridge repairs will take three weeks, the council says", *PARAGRAPHS,
    ]
    assert found[4].heading and found[4].links == 1 and (found[4].first, found[4].last) == (7, 10)


def test_an_unclosed_bracket_in_prose_joins_nothing() -> None:
    lines = ["# Bridge", "", "[Home](https://example.com/) [News](https://example.com/news/)",
             "[Sport](https://example.com/sport/)", "", "See [1", "",
             *ARTICLE]
    assert detect(lines).markdown
    assert texts(blocks(lines))[2:] == ["See [1", *PARAGRAPHS]


def test_setext_headings_and_rules() -> None:
    lines = ["Harbour bridge to close", "=======================", "", *wrap(PARAGRAPHS[0], 70),
             "", "* * *", "", *wrap(PARAGRAPHS[1], 70), "", *wrap(PARAGRAPHS[2], 70)]
    found = blocks(lines)
    assert texts(found) == ["Harbour bridge to close", *PARAGRAPHS]
    assert found[0].heading and (found[0].first, found[0].last) == (0, 1)


def test_wrapped_cjk_text_is_joined_without_spaces() -> None:
    sentence = ("市は来年までに自転車専用道路を二倍に増やし、"
                "市内の各地に新しい貸し出し所を作る計画だと発表した。")
    paragraph = sentence * 3
    # Two columns a character: a 60-column terminal holds 30 of them.
    lines = [paragraph[i : i + 30] for i in range(0, len(paragraph), 30)]
    lines = [*lines, "", *lines]
    found = blocks(lines)
    assert detect(lines).width == 60
    assert texts(found) == [paragraph, paragraph]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=120), max_size=40))
def test_any_lines_give_blocks_within_their_lines(lines: list[str]) -> None:
    lines = [line.replace("\n", " ").replace("\r", " ") for line in lines]
    previous = -1
    for block in blocks(lines):
        assert previous < block.first <= block.last < len(lines)
        assert block.text and block.text == block.text.strip()
        previous = block.last


# Hostile shapes a regex or a loop could take quadratic time over. The sizes are ones
# where the quadratic versions took seconds to minutes; what is checked is the result.


def test_a_heading_with_a_long_gap_in_it() -> None:
    lines = [
        "# Harbour" + " " * 30_000 + "bridge to close ##",
        "",
        "See [the council](https://example.com/), [the map](https://example.com/map) and "
        "[the notice](https://example.com/notice).",
        "",
        *ARTICLE,
    ]
    assert detect(lines).markdown
    found = blocks(lines)
    assert found[0].heading and found[0].text == "Harbour bridge to close"
    assert texts(found)[2:] == PARAGRAPHS


def test_a_hyphen_break_before_a_long_run_of_punctuation() -> None:
    run = "!" * 20_000
    lines = [
        "It was an extraordinary week for the council, which met on five",
        "days in a row and spent most of them on the harbour bridge and",
        "its worn and rusted bearings, which were not at all what anybody",
        "had hoped to find there. It was, the mayor said, an extra-",
        f"ordinary{run}x mess, and in the end a rather good example of the",
        "problem of roads that nobody looks after until they break down.",
        "",
        *wrap(PARAGRAPHS[1], 64),
    ]
    first = texts(blocks(lines))[0]
    # "extraordinary!!!...x" is no word of the dump: the hyphen stays.
    assert f"an extra-ordinary{run}x mess" in first


def test_many_titles_over_a_reference_list() -> None:
    lines = [
        "   [1]Home [2]News [3]Sport [4]Weather",
        "",
        *[line for paragraph in PARAGRAPHS for line in (*wrap(paragraph, 70, "   "), "")],
        *["References", ""] * 5_000,
        "   1. https://example.com/",
        "   2. https://example.com/news/",
        "   3. https://example.com/sport/",
        "Visible links",
        "",
        "Written on a typewriter",
    ]
    assert texts(blocks(lines)) == ["Home News Sport Weather", *PARAGRAPHS, "Visible links",
                                    "Written on a typewriter"]


# The paragraphs as a scraper writes them that puts every text node on a line of its own:
# each link, bold word or inline code breaks its sentence.
TEXT_NODES = [
    ["The old", "harbour bridge", "will close to all traffic from Monday for three weeks of "
     "repairs, the", "council", "said on Tuesday, after engineers found that two of its eight",
     "bearings", "had worn far faster than expected since the last", "inspection", "."],
    ["Drivers will be sent along the", "ring road", "instead, which the council expects to "
     "add about ten minutes to most journeys across the town at the", "busiest times",
     "of the day."],
    ["Pedestrians and cyclists will still be able to cross on the footway", ", which is "
     "carried on a separate deck and was not affected by the", "wear", "found in the spring",
     "."],
]


def test_a_paragraph_broken_at_every_inline_element_is_one_block_again() -> None:
    menu, after = ["Home", "News", "Sport", "Harbour bridge to close"], ["Share", "Email",
                                                                      "more stories", "about us"]
    lines = [*menu, *[line for pieces in TEXT_NODES for line in pieces], *after]
    assert detect(lines).plain
    found = blocks(lines)
    assert texts(found) == [*menu, *PARAGRAPHS, *after]
    first = len(menu)
    spans = []
    for pieces in TEXT_NODES:
        spans.append((first, first + len(pieces) - 1))
        first += len(pieces)
    assert [(b.first, b.last) for b in found[len(menu) : -len(after)]] == spans


def test_a_dump_without_the_habit_keeps_its_lowercase_lines() -> None:
    # One block per line: a lowercase menu, a line that goes on after a heading, but not
    # three lines that open with punctuation after a line that ends no sentence.
    lines = ["home", "news", "sport", "Harbour bridge to close", "from Monday, for three weeks.",
             *PARAGRAPHS, ", and more", "more stories", "about us."]
    assert texts(blocks(lines)) == [tidy(line) for line in lines]


def test_fragments_of_highlighted_code_are_one_block() -> None:
    lines = [*[line for pieces in TEXT_NODES for line in pieces], "A very simple example is:",
             "logging", ".", "info", "(", "'I told you so'", ")", "Notice that this works."]
    assert texts(blocks(lines)) == [*PARAGRAPHS, "A very simple example is:",
                                    "logging.info('I told you so')", "Notice that this works."]


def test_fragments_after_a_blank_line_stay_apart() -> None:
    # A blank line is a block's end in any layout.
    lines = [*[line for pieces in TEXT_NODES for line in pieces], "Read the", "",
             "documentation", "for details."]
    assert texts(blocks(lines))[-2:] == ["Read the", "documentation for details."]


def test_what_follows_a_sentence_end_or_a_heading_is_not_joined_to_it() -> None:
    # A sign after a sentence's end starts something else ("| Share"); a heading is not
    # the start of a paragraph whose first word only begins in lowercase ("iOS"); a stop
    # that opens a name (".gitignore") is no sentence's rest.
    base = [line for pieces in TEXT_NODES for line in pieces]
    tails = [
        ["The repairs were planned in the spring.", "|", "Share", "|", "Tweet"],
        ["What the iPhone app shows", "iOS users will see a new button when they open it."],
        ["These are the files we keep in every repository", ".gitignore", ".editorconfig"],
    ]
    for tail in tails:
        got = texts(blocks([*base, *tail]))[len(PARAGRAPHS):]
        assert got[0] == tail[0], got
        assert not any(tail[0] in text for text in got[1:]), got


# Product copy in Title Case: a wrapped line goes on with a capital as often as its
# words start with one, so few broken lines go on in lowercase.
TITLE_CASE = [
    "Ninja Professional Plus Kitchen System Blender with Total Crushing Blades, Six Auto "
    "Programs, Smoothie Cups and Lids, Dough Blade and Precision Processor Bowl in Silver",
    "Modern Design: Features a New Modern Design and Enhanced Functionality Compared to "
    "the Original Professional Kitchen System, with a Larger Pitcher and a Quieter Motor",
    "Large Capacity: Includes a Total Crushing Pitcher Ideal for Preparing Large Batches "
    "for Families, Plus Two Single Serve Cups with Spout Lids for Drinks on the Go",
    "Intelligent Programs: Offers Five Preset Programs for Smoothies, Frozen Drinks, "
    "Nutrient Extractions, Chopping and Dough, Each with Its Own Pulse and Pause Pattern",
]


def test_wrapped_title_case_copy_is_joined_again() -> None:
    lines = ["Kitchen Appliances", ""]
    for paragraph in TITLE_CASE:
        lines += [*wrap(paragraph, 56), ""]
    # fewer than 0.35 of the broken lines go on in lowercase (the old bar)
    starts = [line[:1] for paragraph in TITLE_CASE for line in wrap(paragraph, 56)[1:]]
    assert 0 < sum(map(str.islower, starts)) < 0.35 * len(starts)
    layout = detect(lines)
    assert layout.width is not None and 50 <= layout.width <= 56
    assert texts(blocks(lines)) == ["Kitchen Appliances", *TITLE_CASE]


def test_rows_of_capitalised_entries_are_not_taken_for_wrapping() -> None:
    # A timetable of names and places, one row a line: the lines that could have been
    # broken never go on in lowercase, and nothing within them is lowercase either.
    rows = [
        f"{month} {day:<10}   SAAC {room}   Carrie Menke, Ph.D   Main Hall"
        for month, day, room in [
            ("September", 10, 217), ("September", 17, 218), ("September", 24, 219),
            ("October", 1, 217), ("October", 8, 218), ("October", 15, 219),
            ("October", 22, 217), ("October", 29, 218),
        ]
    ]
    lines = ["Yoga Series", *rows, "", PARAGRAPHS[0]]
    assert detect(lines).width is None


def test_markdown_with_long_unwrapped_list_items_is_still_unwrapped() -> None:
    # html2text wraps paragraphs at 78 columns and leaves list items whole: a list of
    # links to long addresses runs far past any terminal.
    items = [
        f"  * [Share on network {n}](https://example.org/2018/10/09/breaking-a-long-"
        f"article-address-with-many-words-in-it-about-the-harbour-bridge-{n}/?share="
        f"network-{n} \"Click to share this article on the network number {n} with "
        f"your friends, your family and everyone else you know\")"
        for n in range(8)
    ]
    assert all(len(item) > 250 for item in items)
    lines = ["# Harbour bridge to close", ""]
    for paragraph in PARAGRAPHS:
        lines += [*wrap(paragraph, 78), ""]
    lines += items
    layout = detect(lines)
    assert layout.markdown and layout.width is not None
    assert texts(blocks(lines))[1:4] == PARAGRAPHS


def test_a_line_before_lynx_nested_bullets_was_not_broken() -> None:
    # lynx nests menus with "+" and "o" bullets indented deeper than its prose: the line
    # before an item was not broken by the wrapper, so it does not count against a width.
    menu = []
    for n in range(4):
        menu.append(f"     + Development Services Group {n} Custom Software Solutions")
        menu += [f"          o [{10 * n + k}]Enterprise Application Development Services {k}"
                 for k in range(3)]
    lines = [*menu, ""]
    for paragraph in PARAGRAPHS * 2:
        lines += [*wrap(paragraph, 78, "   "), ""]
    layout = detect(lines)
    assert layout.indent == 3
    assert layout.width is not None and 70 <= layout.width <= 78
    assert texts(blocks(lines))[-6:] == PARAGRAPHS * 2


def _hyphenated(words: list[str], whole: list[str]) -> list[str]:
    """Prose wrapped at 60 columns, each of its first lines broken inside one of ``words``
    at a hyphen ("extra-" / "ordinary"), then ``whole`` in a paragraph of their own."""
    filler = PARAGRAPHS[0].replace(",", "").split()
    lines, line = [], "We"
    for k, word in enumerate(words):
        half = len(word) // 2
        for extra in filler[k % 7 :]:
            if len(line) + len(extra) + half + 3 > 60:
                break
            line += " " + extra
        lines.append(f"{line} {word[:half]}-")
        line = word[half:]
    lines += [f"{line} and so on.", "", *wrap(PARAGRAPHS[1], 60), "", " ".join(whole)]
    return lines


def test_a_hyphen_is_mended_by_a_whole_word_in_any_case_not_inside_a_longer_one() -> None:
    lines = _hyphenated(["extraordinary", "overgrown"], ["EXTRAORDINARY", "overgrownness"])
    assert detect(lines).width is not None
    joined = " ".join(texts(blocks(lines)))
    assert " extraordinary " in joined  # the dump has it whole, in capitals
    assert " over-grown " in joined  # only inside "overgrownness": not a word of the dump


def test_many_hyphens_are_mended_as_few_are() -> None:
    # Past a few dozen words to look up, a set of the dump's words answers: the same.
    words = [f"word{chr(97 + i % 26)}{chr(97 + i // 26)}stuff" for i in range(150)]
    whole = words[::2]
    joined = " ".join(texts(blocks(_hyphenated(words, whole))))
    for k, word in enumerate(words):
        half = len(word) // 2
        broken = f" {word[:half]}-{word[half:]} "
        assert (f" {word} " in joined, broken in joined) == (k % 2 == 0, k % 2 == 1), word


def test_a_dump_with_many_links_is_markdown_and_one_with_two_is_not() -> None:
    links = [f"Read [report {k}](https://example.com/report-{k}) today." for k in range(40)]
    assert detect([*PARAGRAPHS, *links]).markdown
    two = "See [the one](https://example.com/1) and [the other](https://example.com/2) here."
    assert not detect([*PARAGRAPHS, two, "Call 01234 [ext] or write ]( to us."]).markdown


def test_the_quick_wide_character_test_misses_no_wide_character() -> None:
    from reader.cleaning.layout import _WIDE_CHARS, _WIDE_HIGH_BYTES, _has_wide

    missed = [
        cp
        for cp in range(0x110000)
        if _WIDE_CHARS.match(chr(cp))
        and chr(cp).encode("utf-16-be", "surrogatepass")[0] not in _WIDE_HIGH_BYTES
    ]
    assert missed == []
    samples = ("plain", "“quoted” — ñ", "Москва", "東京 today", "x\U00020000", "\ud840", "\ufeff")
    for text in samples:
        assert _has_wide(text) == (_WIDE_CHARS.search(text) is not None), text
