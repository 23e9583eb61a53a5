"""The Digits tab's help text (F1)."""

HELP = """
<h3>Digits: a classifier you can draw for</h3>
<p><b>Draw</b> a digit on the pad (left mouse button). The network's answer updates while you
draw: ten probability bars and its top guess, with the model that reads the pad named under
it. How "sure" it is means its softmax probability, not a calibrated confidence: the ten
outputs always add up to 100%, so the network must pick one of its classes even for a
scribble. Right-click or <b>Delete</b> clears the pad, <b>Ctrl+Z</b> undoes the last
stroke.</p>
<p><b>What the network sees</b>: your drawing is turned into a 28x28 image the way MNIST was
made: cropped to the ink, scaled to fit a 20x20 box, and placed so its centre of mass is in
the middle. For an MLP the tiles are the first-layer weights (each a 28x28 template, red
positive, blue negative) of the hidden units that push hardest toward the answer; for the CNN
they are the first convolution's feature maps.</p>
<p><b>Train</b> your own model: choose the dataset (MNIST digits or Fashion-MNIST clothes), the
model (a network written from scratch in numpy, a torch MLP, or a small CNN), epochs, batch
size and learning rate, then press Play (Space). Curves show the loss and accuracy on the
training batches and, after each epoch, on the 10,000 test images. When training ends (or
Stop), your model is measured on the test images and reads the pad if it does at least as
well as the model there; otherwise the pad keeps its model and the message offers yours
(<b>Use it anyway</b>). Changing the dataset or the model starts a new model (at once while
training runs); the learning rate reaches a running training. A run that diverges, or
collapses back to chance (a loss of ln 10 = 2.30: it guesses), stops with a message and a
Reset button that keeps the pad's model. Ctrl+S saves the model, Ctrl+O opens a saved
one.
<b>Images</b> trains on only the first N training images: faster, and a lesson in how much
data matters.</p>
<p><b>Compare runs</b>: <b>Pin run</b> keeps the run in the curves (its settings, curves,
final test accuracy and loss, time). Pinned runs are drawn dashed on the plots (training loss
on the left, test accuracy on the right) and listed in the table below them, where the
settings that differ from the form are highlighted; tick a row to show or hide it,
double-click its name to rename it, Restore settings puts them back in the form, Export CSV
writes one row per run. They are kept across launches. <b>Compare: numpy vs MLP vs CNN</b>
trains the three models one after another, each with its own batch size and learning rate
for the same few epochs on the same images, and pins each one (Cancel stops it).</p>
<p><b>Results</b>: the test accuracy, the confusion matrix (rows: true class, columns: the
prediction; click a cell to see its images) and the mistakes the model was most sure about.
<b>Browse</b> shows random test images with the model's guesses.</p>
<p>Keys: Space play/pause, S step, R back to the shipped model, Delete clear the pad.</p>
"""
