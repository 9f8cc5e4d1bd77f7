// Package models builds the bundled ONNX models (a ResNet-style S-CNN and
// Collage-CNNs with a g x g grid head), reads and generates labelled image sets
// (synthetic shapes and textures, CIFAR-10 binary, class-per-folder images),
// encodes collages, and runs models through ONNX Runtime.
package models
