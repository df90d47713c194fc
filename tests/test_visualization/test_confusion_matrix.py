import numpy as np
import pytest

from slp_mm.utils.cli_errors import UserError
from slp_mm.visualization.confusion_matrix import (count_confusions,
                                                   draw_confusion_matrix,
                                                   format_weakest,
                                                   load_class_names,
                                                   weakest_classes)

NAMES = ['thank you', 'house', 'good morning', 'cat']
# rows: true class, columns: predicted. 'thank you' and 'cat' are perfect,
# 'house' is right 2 of 5 times (3x taken for 'good morning'), 'good
# morning' 3 of 4 (once 'house')
CM = np.array([[4, 0, 0, 0],
               [0, 2, 3, 0],
               [0, 1, 3, 0],
               [0, 0, 0, 6]])


def test_counts():
    gt = [0] * 4 + [1] * 5 + [2] * 4 + [3] * 6
    pred = [0] * 4 + [1, 1, 2, 2, 2] + [1, 2, 2, 2] + [3] * 6
    np.testing.assert_array_equal(count_confusions(gt, pred, 4), CM)


def test_weakest_lists_only_classes_with_errors():
    weakest = weakest_classes(CM, NAMES, k=3)
    assert [w['name'] for w in weakest] == ['house', 'good morning']
    assert weakest[0] == dict(name='house', correct=2, total=5, recall=0.4,
                              taken_for=[('good morning', 3)])
    assert weakest[1]['taken_for'] == [('house', 1)]
    assert format_weakest(weakest).splitlines() == [
        '  weakest: house: 2/5, taken for good morning (3)',
        '  weakest: good morning: 3/4, taken for house (1)',
    ]
    assert weakest_classes(np.diag([3, 2]), ['a', 'b']) == []


def test_class_names_with_spaces(tmp_path):
    path = tmp_path / 'classes.txt'
    path.write_text('\n'.join(NAMES) + '\n')
    assert load_class_names(str(path), 4) == NAMES
    with pytest.raises(UserError, match='classes.txt: 4 class names .* of 5'):
        load_class_names(str(path), 5)


def test_picture_labels_every_class():
    fig = draw_confusion_matrix(CM, NAMES, 'top-1 78.9%')
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == NAMES
    assert sorted(t.get_text() for t in ax.texts) == sorted(
        str(v) for v in CM[CM > 0])
